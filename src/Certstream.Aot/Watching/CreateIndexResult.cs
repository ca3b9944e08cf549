using Certstream.LogList;

namespace Certstream.Watching;

/// <summary>What <see cref="ResumeIndexCreator.CreateIndexAsync"/> wrote (key → last existing index) and which logs it could not reach.</summary>
public sealed record CreateIndexResult(IReadOnlyDictionary<string, long> Written, IReadOnlyList<(CtLog Log, string Error)> Failed);

namespace Certstream.Tests.Support.FakeCtLog;

internal enum FakeLogKind
{
    /// <summary>RFC 6962 JSON API: ct/v1/get-sth, ct/v1/get-entries.</summary>
    Rfc6962,

    /// <summary>static-ct-api: checkpoint, tile/data, tile/0, issuer.</summary>
    StaticCt,
}

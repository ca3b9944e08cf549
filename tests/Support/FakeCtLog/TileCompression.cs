namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>How a static-ct fake log encodes tile responses.</summary>
internal enum TileCompression
{
    /// <summary>gzip when the request's Accept-Encoding allows it, identity otherwise.</summary>
    Negotiate,

    /// <summary>Always <c>Content-Encoding: gzip</c>, even unasked (clients MUST accept it).</summary>
    Always,

    /// <summary>Always identity, like Google's GCS-hosted logs.</summary>
    Never,
}

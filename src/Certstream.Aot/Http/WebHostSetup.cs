using Microsoft.AspNetCore.Builder;

namespace Certstream.Http;

/// <summary>How both web hosts (the server and the separate metrics listener) are built.</summary>
internal static class WebHostSetup
{
    /// <summary>
    /// Content root = the binary's folder, not the working directory: the host watches its content root recursively
    /// for appsettings.json, and started from / that was an inotify watch on every directory (10,000+ in a container).
    /// And no watching at all: our configuration is the YAML file, so a file-watcher thread would only wait.
    /// </summary>
    public static WebApplicationOptions Options => new()
    {
        Args = ["--hostBuilder:reloadConfigOnChange=false"],
        ContentRootPath = AppContext.BaseDirectory,
    };
}

using System.Net;
using System.Text;

namespace Certstream.Http;

/// <summary>The small HTML page served on a plain GET of a stream path: what the streams are and where.</summary>
internal static class StreamIndexPage
{
    public static string Render(string scheme, string host, IReadOnlyList<(string Name, string Path, string Description)> streams)
    {
        var wsScheme = scheme == "https" ? "wss" : "ws";
        var html = new StringBuilder();
        html.Append("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>certstream</title></head><body>\n")
            .Append("<h1>certstream</h1>\n<p>Certificate Transparency updates over WebSocket, one JSON document per text frame.</p>\n<ul>\n");
        foreach (var (name, path, description) in streams)
        {
            var url = WebUtility.HtmlEncode($"{wsScheme}://{host}{path}");
            var example = WebUtility.HtmlEncode(ExamplePath(path));
            html.Append("<li><b>").Append(WebUtility.HtmlEncode(name)).Append("</b>: <code>").Append(url).Append("</code> ")
                .Append(WebUtility.HtmlEncode(description))
                .Append(" (<a href=\"").Append(example).Append("\">example</a>)</li>\n");
        }

        html.Append("</ul>\n<p><a href=\"/latest.json\">/latest.json</a>: the newest lite messages.</p>\n</body></html>\n");
        return html.ToString();
    }

    public static string ExamplePath(string streamPath) =>
        streamPath.EndsWith('/') ? streamPath + "example.json" : streamPath + "/example.json";
}

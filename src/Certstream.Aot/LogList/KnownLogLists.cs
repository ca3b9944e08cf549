namespace Certstream.LogList;

/// <summary>Published v3 log lists.</summary>
public static class KnownLogLists
{
    /// <summary>Logs that are or were in Chrome; certstream-server-go's list, and our default.</summary>
    public const string Google = "https://www.gstatic.com/ct/log_list/v3/log_list.json";

    /// <summary>Every known log, test logs included (<c>is_all_logs: true</c>); CaliDog's list.</summary>
    public const string GoogleAllLogs = "https://www.gstatic.com/ct/log_list/v3/all_logs_list.json";
}

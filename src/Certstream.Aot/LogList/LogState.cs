namespace Certstream.LogList;

/// <summary>A log's state in the v3 list; <see cref="None"/> when the list gives none (test logs, config-added logs).</summary>
public enum LogState
{
    None,
    Pending,
    Qualified,
    Usable,
    ReadOnly,
    Retired,
    Rejected,
}

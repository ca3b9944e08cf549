using System.Runtime.InteropServices;

namespace Certstream.Bench;

/// <summary>CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID): a single-thread rate per CPU-second is
/// far less disturbed by other processes on a shared machine than a rate per wall-second.</summary>
internal static partial class ThreadCpu
{
    private const int ClockThreadCpuTimeId = 3;

    public static TimeSpan Now()
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(ClockThreadCpuTimeId, out var t) != 0)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromTicks((t.Seconds * TimeSpan.TicksPerSecond) + (t.Nanoseconds / 100));
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}

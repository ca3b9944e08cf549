using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Certstream.Operations;

/// <summary>
/// Process and runtime metrics (prometheus.expose_system_metrics), with the standard Prometheus client names
/// (<c>process_*</c>) and <c>dotnet_*</c> for the runtime.
/// </summary>
internal static class ProcessMetrics
{
    public static void Register(Meter meter)
    {
        meter.CreateObservableGauge("process_resident_memory_bytes", () => Current().WorkingSet64,
            description: "Resident memory size in bytes.");
        meter.CreateObservableGauge("process_virtual_memory_bytes", () => Current().VirtualMemorySize64,
            description: "Virtual memory size in bytes.");
        meter.CreateObservableCounter("process_cpu_seconds_total", () => Current().TotalProcessorTime.TotalSeconds,
            description: "User and system CPU time spent, in seconds.");
        meter.CreateObservableGauge("process_start_time_seconds", () => new DateTimeOffset(Current().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0,
            description: "Start time of the process since the Unix epoch, in seconds.");
        meter.CreateObservableGauge("process_open_fds", OpenFileDescriptors,
            description: "Open file descriptors (Linux only).");
        meter.CreateObservableGauge("process_threads", () => (long)Current().Threads.Count,
            description: "OS threads of the process.");
        meter.CreateObservableCounter("dotnet_gc_collections_total", () => new[]
        {
            new Measurement<long>(GC.CollectionCount(0), new KeyValuePair<string, object?>("generation", "0")),
            new Measurement<long>(GC.CollectionCount(1), new KeyValuePair<string, object?>("generation", "1")),
            new Measurement<long>(GC.CollectionCount(2), new KeyValuePair<string, object?>("generation", "2")),
        }, description: "Garbage collections since start, by generation.");
        meter.CreateObservableGauge("dotnet_gc_heap_size_bytes", () => GC.GetGCMemoryInfo().HeapSizeBytes,
            description: "GC heap size at the last collection, in bytes.");
        meter.CreateObservableCounter("dotnet_gc_allocated_bytes_total", () => GC.GetTotalAllocatedBytes(),
            description: "Bytes allocated on the GC heap since start.");
        meter.CreateObservableCounter("dotnet_gc_pause_seconds_total", () => GC.GetTotalPauseDuration().TotalSeconds,
            description: "Time the runtime was paused for garbage collection, in seconds.");
        meter.CreateObservableGauge("dotnet_threadpool_threads", () => (long)ThreadPool.ThreadCount,
            description: "Thread pool threads.");
        meter.CreateObservableGauge("dotnet_threadpool_queue_length", () => ThreadPool.PendingWorkItemCount,
            description: "Work items waiting for the thread pool.");
    }

    private static Process Current()
    {
        var process = CachedProcess.Instance;
        process.Refresh();
        return process;
    }

    private static IEnumerable<Measurement<long>> OpenFileDescriptors()
    {
        if (!OperatingSystem.IsLinux())
        {
            yield break;
        }

        long count;
        try
        {
            count = Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount();
        }
        catch (IOException)
        {
            yield break;
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }

        yield return new Measurement<long>(count);
    }

    private static class CachedProcess
    {
        public static readonly Process Instance = Process.GetCurrentProcess();
    }
}

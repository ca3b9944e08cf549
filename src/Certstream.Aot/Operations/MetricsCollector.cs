using System.Diagnostics.Metrics;
using System.Globalization;

namespace Certstream.Operations;

/// <summary>
/// Renders the observable instruments of one <see cref="Meter"/> as Prometheus text. A <see cref="MeterListener"/>
/// asks every instrument for its current values at scrape time; nothing is aggregated in between, since every value
/// is read from live state (counters of the broadcaster, the watchers' per-log state). Instrument name = family
/// name; description = HELP; ObservableCounter = counter, ObservableGauge and ObservableUpDownCounter = gauge.
/// Synchronous instruments are not supported (none are used).
/// </summary>
internal sealed class MetricsCollector : IDisposable
{
    private readonly Meter _meter;
    private readonly MeterListener _listener;
    private readonly Lock _scrapeLock = new();
    private readonly Lock _instrumentsLock = new();
    private readonly List<Instrument> _instruments = [];
    private readonly Action? _beforeCollect;
    private Dictionary<Instrument, List<(double Value, KeyValuePair<string, string>[] Labels)>>? _collecting;

    /// <param name="beforeCollect">Called at the start of each scrape (e.g. to take one consistent snapshot for all instruments).</param>
    public MetricsCollector(Meter meter, Action? beforeCollect = null)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _meter = meter;
        _beforeCollect = beforeCollect;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                // Only our meter instance: tests run several hosts in one process, each with its own meter.
                if (ReferenceEquals(instrument.Meter, _meter) && IsSupported(instrument))
                {
                    lock (_instrumentsLock)
                    {
                        _instruments.Add(instrument);
                    }

                    listener.EnableMeasurementEvents(instrument);
                }
            },
            MeasurementsCompleted = (instrument, _) =>
            {
                lock (_instrumentsLock)
                {
                    _instruments.Remove(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The family names this collector can emit, in exposition order.</summary>
    public IReadOnlyList<string> FamilyNames
    {
        get
        {
            lock (_instrumentsLock)
            {
                return [.. _instruments.Select(i => i.Name)];
            }
        }
    }

    /// <summary>Reads every instrument now and returns the exposition text.</summary>
    public string Collect()
    {
        lock (_scrapeLock)
        {
            _beforeCollect?.Invoke();
            _collecting = [];
            try
            {
                _listener.RecordObservableInstruments();
                var writer = new PrometheusTextWriter();
                Instrument[] instruments;
                lock (_instrumentsLock)
                {
                    instruments = [.. _instruments];
                }

                foreach (var instrument in instruments)
                {
                    writer.BeginFamily(instrument.Name, instrument.Description ?? instrument.Name, TypeOf(instrument));
                    if (_collecting.TryGetValue(instrument, out var samples))
                    {
                        foreach (var (value, labels) in samples)
                        {
                            writer.Sample(labels, value);
                        }
                    }
                }

                return writer.ToString();
            }
            finally
            {
                _collecting = null;
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private static bool IsSupported(Instrument instrument) =>
        instrument is ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double>
            or ObservableGauge<long> or ObservableGauge<int> or ObservableGauge<double>
            or ObservableUpDownCounter<long> or ObservableUpDownCounter<int> or ObservableUpDownCounter<double>;

    private static MetricType TypeOf(Instrument instrument) =>
        instrument is ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> ? MetricType.Counter : MetricType.Gauge;

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // Measurements outside Collect come from RecordObservableInstruments of nobody else (this listener is ours); ignore them.
        var collecting = _collecting;
        if (collecting is null)
        {
            return;
        }

        var labels = new KeyValuePair<string, string>[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            labels[i] = new(tags[i].Key, tags[i].Value switch
            {
                null => "",
                string s => s,
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var other => other.ToString() ?? "",
            });
        }

        if (!collecting.TryGetValue(instrument, out var list))
        {
            collecting[instrument] = list = [];
        }

        list.Add((value, labels));
    }
}

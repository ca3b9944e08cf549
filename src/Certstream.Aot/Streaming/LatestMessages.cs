using Certstream.Messages;

namespace Certstream.Streaming;

/// <summary>A fixed-size ring of the newest messages (written by the fan-out loop, read by HTTP requests).</summary>
internal sealed class LatestMessages
{
    private readonly CertificateMessage?[] _ring;
    private readonly Lock _lock = new();
    private int _next;
    private int _count;

    public LatestMessages(int capacity) => _ring = new CertificateMessage?[capacity];

    public void Add(CertificateMessage message)
    {
        lock (_lock)
        {
            _ring[_next] = message;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }

    public CertificateMessage[] NewestFirst()
    {
        lock (_lock)
        {
            var result = new CertificateMessage[_count];
            for (var i = 0; i < _count; i++)
            {
                result[i] = _ring[(_next - 1 - i + _ring.Length) % _ring.Length]!;
            }

            return result;
        }
    }
}

using System.IO.Compression;

namespace Certstream.Streaming;

/// <summary>
/// How the retention window compresses a sealed block (BCL codecs only: they are part of the runtime, also
/// under Native AOT). One block is compressed once, by the window's writer, and decompressed by readers.
/// </summary>
internal abstract class BlockCodec
{
    /// <summary>The window's default (see docs/performance.md, "Retention window", for the measurements behind it).</summary>
    public static BlockCodec Default { get; } = new BrotliCodec(1);

    public static BlockCodec None { get; } = new StoredCodec();

    public abstract string Name { get; }

    public static BlockCodec Brotli(int quality) => new BrotliCodec(quality);

    public static BlockCodec Deflate(CompressionLevel level) => new DeflateCodec(level);

    /// <summary>The compressed form of <paramref name="source"/>, in an array of exactly its length.</summary>
    public abstract byte[] Compress(ReadOnlySpan<byte> source);

    /// <summary>Fills <paramref name="destination"/> (exactly the original length) from <paramref name="compressed"/>.</summary>
    public abstract void Decompress(byte[] compressed, Span<byte> destination);

    private sealed class StoredCodec : BlockCodec
    {
        public override string Name => "none";

        public override byte[] Compress(ReadOnlySpan<byte> source) => source.ToArray();

        public override void Decompress(byte[] compressed, Span<byte> destination) => compressed.CopyTo(destination);
    }

    private sealed class BrotliCodec(int quality) : BlockCodec
    {
        // 4 MiB window: a block is at most a few hundred KB, so every repeat inside it is in reach.
        private const int WindowBits = 22;

        public override string Name => $"brotli q{quality}";

        public override byte[] Compress(ReadOnlySpan<byte> source)
        {
            var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(source.Length));
            try
            {
                if (!BrotliEncoder.TryCompress(source, scratch, out var written, quality, WindowBits))
                {
                    throw new InvalidOperationException("Brotli: the output did not fit its maximum length");
                }

                return scratch.AsSpan(0, written).ToArray();
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        public override void Decompress(byte[] compressed, Span<byte> destination)
        {
            if (!BrotliDecoder.TryDecompress(compressed, destination, out var written) || written != destination.Length)
            {
                throw new InvalidDataException("Brotli: a sealed block did not decompress to its length");
            }
        }
    }

    private sealed class DeflateCodec(CompressionLevel level) : BlockCodec
    {
        public override string Name => $"deflate {level}";

        public override byte[] Compress(ReadOnlySpan<byte> source)
        {
            using var output = new MemoryStream(source.Length / 2);
            using (var deflate = new DeflateStream(output, level, leaveOpen: true))
            {
                deflate.Write(source);
            }

            return output.ToArray();
        }

        public override void Decompress(byte[] compressed, Span<byte> destination)
        {
            using var deflate = new DeflateStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
            deflate.ReadExactly(destination);
        }
    }
}

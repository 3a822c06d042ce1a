using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PeerChat.AspNetCore.Protocol;

/// <summary>
/// Writes server messages as UTF-8 frames with the same field order as the Node server's <c>JSON.stringify</c>
/// (<c>type, src, dst, payload</c>), leaving out absent fields as it does. Each message is serialized once,
/// into a per-thread scratch buffer, and copied out as the exact frame the socket sends.
/// </summary>
internal static class MessageSerializer
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Closer to JSON.stringify (no \u escapes for non-ASCII or HTML characters); never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary><c>{"type":"OPEN"}</c></summary>
    public static readonly byte[] Open = Serialize(new SignalingMessage(MessageTypes.Open, null, null, null));

    /// <summary><c>{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}</c></summary>
    public static readonly byte[] IdTaken = WithMessage(MessageTypes.IdTaken, ServerErrors.IdTaken);

    /// <summary><c>{"type":"ERROR","payload":{"msg":…}}</c></summary>
    public static byte[] Error(string msg) => WithMessage(MessageTypes.Error, msg);

    /// <summary>Serializes a message for the wire.</summary>
    public static byte[] Serialize(SignalingMessage message)
    {
        var writer = Rent(out var buffer);
        writer.WriteStartObject();
        writer.WriteString("type"u8, message.Type);
        if (message.Src is not null)
        {
            writer.WriteString("src"u8, message.Src);
        }
        if (message.Dst is not null)
        {
            writer.WriteString("dst"u8, message.Dst);
        }
        if (message.Payload is { } payload)
        {
            writer.WritePropertyName("payload"u8);
            // Already validated by the parser.
            writer.WriteRawValue(payload.Span, skipInputValidation: true);
        }
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] WithMessage(string type, string msg)
    {
        var writer = Rent(out var buffer);
        writer.WriteStartObject();
        writer.WriteString("type"u8, type);
        writer.WriteStartObject("payload"u8);
        writer.WriteString("msg"u8, msg);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static Utf8JsonWriter Rent(out ArrayBufferWriter<byte> buffer)
    {
        buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        return writer;
    }
}

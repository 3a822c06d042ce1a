using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PeerSignaling.Protocol;

/// <summary>
/// Writes server messages with the same field order as the Node server's <c>JSON.stringify</c>
/// (<c>type, src, dst, payload</c>), leaving out absent fields as it does.
/// </summary>
internal static class MessageSerializer
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Closer to JSON.stringify (no \u escapes for non-ASCII or HTML characters); never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary><c>{"type":"OPEN"}</c></summary>
    public static readonly string Open = Serialize(new SignalingMessage(MessageTypes.Open, null, null, null));

    /// <summary><c>{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}</c></summary>
    public static readonly string IdTaken = WithMessage(MessageTypes.IdTaken, ServerErrors.IdTaken);

    /// <summary><c>{"type":"ERROR","payload":{"msg":…}}</c></summary>
    public static string Error(string msg) => WithMessage(MessageTypes.Error, msg);

    /// <summary>Serializes a message for the wire.</summary>
    public static string Serialize(SignalingMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", message.Type);
            if (message.Src is not null)
            {
                writer.WriteString("src", message.Src);
            }
            if (message.Dst is not null)
            {
                writer.WriteString("dst", message.Dst);
            }
            if (message.Payload is { } payload)
            {
                writer.WritePropertyName("payload");
                payload.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string WithMessage(string type, string msg)
    {
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(new { msg }));
        return Serialize(new SignalingMessage(type, null, null, document.RootElement.Clone()));
    }
}

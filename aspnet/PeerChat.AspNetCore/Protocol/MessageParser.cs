using System.Text.Json;
using System.Text.Unicode;

namespace PeerChat.AspNetCore.Protocol;

/// <summary>
/// Turns a client's frame into a <see cref="SignalingMessage"/>, or says why it cannot. One forward pass
/// with <see cref="Utf8JsonReader"/>: the payload is not materialized, only its bytes are kept for the relay.
/// </summary>
internal static class MessageParser
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 32 };

    /// <summary>Parses UTF-8 JSON text.</summary>
    /// <param name="utf8">The frame's bytes.</param>
    /// <param name="message">The message, with <c>Src</c> unset.</param>
    /// <param name="error">The <c>ERROR</c> text to send when parsing fails.</param>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out SignalingMessage? message, out string? error) =>
        TryParse(utf8, readSrc: false, out message, out error);

    /// <summary>
    /// Parses a relayed frame the server wrote itself (<see cref="MessageSerializer.Serialize"/>), <c>src</c>
    /// included: one that another instance forwarded, or that waited for its destination on the cluster.
    /// </summary>
    public static bool TryParseRelayed(ReadOnlySpan<byte> utf8, out SignalingMessage? message) =>
        TryParse(utf8, readSrc: true, out message, out _) && MessageTypes.IsRelayed(message!.Type);

    private static bool TryParse(ReadOnlySpan<byte> utf8, bool readSrc, out SignalingMessage? message, out string? error)
    {
        message = null;
        error = ServerErrors.InvalidMessage;
        // The payload is relayed as is, so invalid UTF-8 anywhere would reach (and break) the peer's socket.
        if (!Utf8.IsValid(utf8))
        {
            return false;
        }
        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            string? type = null;
            string? src = null;
            string? dst = null;
            var dstSeen = false;
            ReadOnlyMemory<byte>? payload = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // JSON.parse keeps the last of duplicate keys; refusing them avoids "which type wins" games.
                if (reader.ValueTextEquals("type"u8))
                {
                    if (type is not null || !reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }
                    type = reader.GetString()!;
                }
                else if (reader.ValueTextEquals("dst"u8))
                {
                    if (dstSeen || !reader.Read())
                    {
                        return false;
                    }
                    dstSeen = true;
                    switch (reader.TokenType)
                    {
                        case JsonTokenType.String:
                            dst = reader.GetString();
                            break;
                        case JsonTokenType.Null:
                            break;
                        default:
                            return false;
                    }
                }
                else if (readSrc && reader.ValueTextEquals("src"u8))
                {
                    if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    {
                        return false;
                    }
                    src = reader.GetString();
                }
                else if (reader.ValueTextEquals("payload"u8))
                {
                    if (payload is not null || !reader.Read())
                    {
                        return false;
                    }
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    payload = utf8[start..(int)reader.BytesConsumed].ToArray();
                }
                else
                {
                    // Extra fields are read (so they must be valid JSON) and dropped.
                    reader.Read();
                    reader.Skip();
                }
            }
            // Nothing may follow the object but whitespace.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false;
            }
            if (type is null)
            {
                return false;
            }
            if (!MessageTypes.IsFromClient(type))
            {
                error = ServerErrors.UnknownMessageType;
                return false;
            }

            message = new SignalingMessage(type, src, string.IsNullOrEmpty(dst) ? null : dst, payload);
            error = null;
            return true;
        }
        // GetString throws InvalidOperationException for an escaped lone surrogate ("\ud800"), which is valid JSON.
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }
}

using System.Text.Json;

namespace PeerSignaling.Protocol;

/// <summary>Turns a client's frame into a <see cref="SignalingMessage"/>, or says why it cannot.</summary>
internal static class MessageParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = 32,
        // JSON.parse keeps the last of duplicate keys; refusing them avoids "which type wins" games.
        AllowDuplicateProperties = false,
    };

    /// <summary>Parses UTF-8 JSON text.</summary>
    /// <param name="utf8">The frame's bytes.</param>
    /// <param name="message">The message, with <c>Src</c> unset.</param>
    /// <param name="error">The <c>ERROR</c> text to send when parsing fails.</param>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out SignalingMessage? message, out string? error)
    {
        message = null;
        error = ServerErrors.InvalidMessage;
        try
        {
            // The reader validates UTF-8 too, so binary garbage lands in the catch.
            using var document = JsonDocument.Parse(utf8.ToArray(), DocumentOptions);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var typeElement)
                || typeElement.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            var type = typeElement.GetString()!;
            if (!MessageTypes.IsFromClient(type))
            {
                error = ServerErrors.UnknownMessageType;
                return false;
            }

            string? dst = null;
            if (root.TryGetProperty("dst", out var dstElement))
            {
                switch (dstElement.ValueKind)
                {
                    case JsonValueKind.String:
                        dst = dstElement.GetString();
                        break;
                    case JsonValueKind.Null:
                        break;
                    default:
                        return false;
                }
            }

            JsonElement? payload = root.TryGetProperty("payload", out var payloadElement)
                ? payloadElement.Clone()
                : null;

            message = new SignalingMessage(type, null, string.IsNullOrEmpty(dst) ? null : dst, payload);
            error = null;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

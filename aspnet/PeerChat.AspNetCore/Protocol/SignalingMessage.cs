namespace PeerChat.AspNetCore.Protocol;

/// <summary>
/// One protocol message. Only these four fields are ever relayed (as in the Node server, which rebuilds
/// the message from them), so a client cannot smuggle extra fields to its peer.
/// </summary>
/// <param name="Type">Message type, e.g. <c>OFFER</c>.</param>
/// <param name="Src">Sender id: always set by the server, never taken from the client.</param>
/// <param name="Dst">Destination id, if any.</param>
/// <param name="Payload">The payload's JSON text as the client sent it (UTF-8), relayed byte for byte; null when absent.</param>
internal sealed record SignalingMessage(string Type, string? Src, string? Dst, ReadOnlyMemory<byte>? Payload);

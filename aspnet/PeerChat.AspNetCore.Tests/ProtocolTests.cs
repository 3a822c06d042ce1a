using System.Text;
using System.Text.Json;
using PeerChat.AspNetCore.Protocol;
using PeerChat.AspNetCore.Transport;

namespace PeerChat.AspNetCore.Tests;

public class MessageParserTests
{
    private static (SignalingMessage? Message, string? Error) Parse(string text) =>
        MessageParser.TryParse(Encoding.UTF8.GetBytes(text), out var m, out var e) ? (m, null) : (null, e);

    [Fact]
    public void Reads_type_dst_and_payload_and_ignores_the_clients_src()
    {
        var (message, error) = Parse("""{"type":"OFFER","src":"mallory","dst":"bob","payload":{"sdp":"x"},"extra":1}""");

        Assert.Null(error);
        Assert.Equal("OFFER", message!.Type);
        Assert.Null(message.Src);
        Assert.Equal("bob", message.Dst);
        Assert.Equal("""{"sdp":"x"}""", Encoding.UTF8.GetString(message.Payload!.Value.Span));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    [InlineData("\"OFFER\"")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("""{"type":5}""")]
    [InlineData("""{"type":"OFFER","dst":7}""")]
    [InlineData("""{"type":"OFFER","dst":{"a":1}}""")]
    [InlineData("""{"type":"HEARTBEAT","type":"OFFER"}""")]
    [InlineData("""{"type":"OFFER","dst":"a","dst":"b"}""")]
    [InlineData("""{"type":"OFFER","payload":1,"payload":2}""")]
    [InlineData("""{"type":"OFFER"} {}""")]
    // Valid JSON whose escaped lone surrogate is no string .NET can read.
    [InlineData("""{"type":"OFFER","dst":"\ud800"}""")]
    [InlineData("""{"type":"\udc00"}""")]
    public void Rejects_malformed_messages(string text)
    {
        Assert.Equal(ServerErrors.InvalidMessage, Parse(text).Error);
    }

    [Fact]
    public void Rejects_invalid_utf8()
    {
        Assert.False(MessageParser.TryParse(new byte[] { 0x7b, 0xff, 0xfe, 0x7d }, out _, out var error));
        Assert.Equal(ServerErrors.InvalidMessage, error);
        // Inside a string of the payload too: relayed as is, it would break the receiver's socket.
        var inPayload = Encoding.UTF8.GetBytes("""{"type":"OFFER","dst":"b","payload":"xx"}""");
        inPayload[^3] = 0xff;
        Assert.False(MessageParser.TryParse(inPayload, out _, out error));
        Assert.Equal(ServerErrors.InvalidMessage, error);
    }

    [Fact]
    public void Rejects_too_deep_nesting()
    {
        var deep = "{\"type\":\"OFFER\",\"payload\":" + new string('[', 100) + new string(']', 100) + "}";
        Assert.Equal(ServerErrors.InvalidMessage, Parse(deep).Error);
    }

    [Theory]
    [InlineData("BOGUS")]
    [InlineData("OPEN")]
    [InlineData("ERROR")]
    [InlineData("ID-TAKEN")]
    [InlineData("offer")]
    public void Rejects_types_a_client_does_not_send(string type)
    {
        Assert.Equal(ServerErrors.UnknownMessageType, Parse($$"""{"type":"{{type}}"}""").Error);
    }

    [Theory]
    [InlineData("HEARTBEAT")]
    [InlineData("OFFER")]
    [InlineData("ANSWER")]
    [InlineData("CANDIDATE")]
    [InlineData("LEAVE")]
    [InlineData("EXPIRE")]
    public void Accepts_every_client_type(string type)
    {
        Assert.Equal(type, Parse($$"""{"type":"{{type}}"}""").Message!.Type);
    }

    [Theory]
    [InlineData("""{"type":"LEAVE","dst":null}""")]
    [InlineData("""{"type":"LEAVE","dst":""}""")]
    [InlineData("""{"type":"LEAVE"}""")]
    public void Null_or_empty_dst_means_no_destination(string text)
    {
        Assert.Null(Parse(text).Message!.Dst);
    }
}

public class MessageSerializerTests
{
    [Fact]
    public void Server_messages_match_the_node_server_byte_for_byte()
    {
        Assert.Equal("""{"type":"OPEN"}""", Text(MessageSerializer.Open));
        Assert.Equal("""{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}""", Text(MessageSerializer.IdTaken));
        Assert.Equal("""{"type":"ERROR","payload":{"msg":"Invalid key provided"}}""", Text(MessageSerializer.Error(ServerErrors.InvalidKey)));
    }

    [Fact]
    public void Relayed_messages_keep_node_field_order_and_omit_absent_fields()
    {
        var offer = new SignalingMessage("OFFER", "a", "b", Encoding.UTF8.GetBytes("""{"sdp":"v=0 <é>","n":[1,2]}"""));
        Assert.Equal("""{"type":"OFFER","src":"a","dst":"b","payload":{"sdp":"v=0 <é>","n":[1,2]}}""", Text(MessageSerializer.Serialize(offer)));

        var expire = new SignalingMessage("EXPIRE", "b", "a", null);
        Assert.Equal("""{"type":"EXPIRE","src":"b","dst":"a"}""", Text(MessageSerializer.Serialize(expire)));
    }

    [Fact]
    public void The_payload_is_relayed_byte_for_byte_as_the_client_wrote_it()
    {
        var frame = """{"type":"OFFER","dst":"b","payload":{ "sdp" : "a\u0041\n", "n":1.50 },"extra":[1]}"""u8;
        Assert.True(MessageParser.TryParse(frame, out var message, out _));
        Assert.Equal("""{"type":"OFFER","src":"a","dst":"b","payload":{ "sdp" : "a\u0041\n", "n":1.50 }}""",
            Text(MessageSerializer.Serialize(message! with { Src = "a" })));
    }

    private static string Text(byte[] frame) => Encoding.UTF8.GetString(frame);

    [Fact]
    public void Exact_error_strings_of_peer_1_0()
    {
        Assert.Equal("Invalid key provided", ServerErrors.InvalidKey);
        Assert.Equal("No id, token, or key supplied to websocket server", ServerErrors.InvalidWsParameters);
        Assert.Equal("Server has reached its concurrent user limit", ServerErrors.ConnectionLimitExceeded);
        Assert.Equal("ID is taken", ServerErrors.IdTaken);
    }
}

public class TokenBucketTests
{
    [Fact]
    public void Allows_a_burst_then_refills_at_the_rate()
    {
        var t0 = DateTimeOffset.UnixEpoch;
        var bucket = new TokenBucket(perSecond: 10, capacity: 3, t0);

        Assert.True(bucket.TryTake(t0));
        Assert.True(bucket.TryTake(t0));
        Assert.True(bucket.TryTake(t0));
        Assert.False(bucket.TryTake(t0));

        Assert.False(bucket.TryTake(t0.AddMilliseconds(50)));
        Assert.True(bucket.TryTake(t0.AddMilliseconds(160)));

        // Never more than the capacity, however long the pause.
        var later = t0.AddHours(1);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(bucket.TryTake(later));
        }
        Assert.False(bucket.TryTake(later));
    }
}

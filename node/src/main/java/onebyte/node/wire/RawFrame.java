package onebyte.node.wire;

/**
 * Exact bytes to put on the wire under a wire manifest, bypassing protobuf encoding. Tools and
 * tests use it to send truncated or forged frames over real Artery connections; the receiver's
 * {@link WireSerializer} treats them like any other frame (and rejects what does not parse).
 */
public record RawFrame(String manifest, byte[] bytes) {}

package onebyte.node.wire;

/**
 * What {@link WireSerializer} hands Artery for a frame that does not parse (truncated, forged,
 * unknown manifest), instead of failing: the frame is counted as "malformed:&lt;type&gt;" (and logged
 * once per kind) by the serializer, and its receiver drops it. A failed deserialization would
 * make Artery log an ERROR with a stack trace for every such frame, so anyone who can reach the
 * port could fill the logs.
 */
public record MalformedFrame(String type, int bytes) {}

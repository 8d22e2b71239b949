package onebyte.node.wire;

import akka.actor.ExtendedActorSystem;
import akka.serialization.SerializerWithStringManifest;
import com.google.protobuf.GeneratedMessage;
import com.google.protobuf.InvalidProtocolBufferException;

/**
 * Serializer of the wire messages: the protobuf bytes under a short manifest (see
 * {@link WireTypes}). Frames that do not parse (truncated, forged, unknown manifest) are counted
 * as "malformed:&lt;type&gt;" in the system's {@link WireStats} and delivered as a {@link MalformedFrame},
 * which receivers drop.
 */
public final class WireSerializer extends SerializerWithStringManifest {
    /** Serializer id; Akka reserves 0..40. */
    public static final int ID = 7711;

    private final ExtendedActorSystem system;

    public WireSerializer(ExtendedActorSystem system) {
        this.system = system;
    }

    @Override
    public int identifier() {
        return ID;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof RawFrame raw) {
            return raw.manifest();
        }
        return WireTypes.manifest(o.getClass());
    }

    @Override
    public byte[] toBinary(Object o) {
        if (o instanceof RawFrame raw) {
            return raw.bytes();
        }
        if (o instanceof GeneratedMessage m) {
            return m.toByteArray();
        }
        throw new IllegalArgumentException("not a wire message: " + o.getClass().getName());
    }

    /** The message, or a {@link MalformedFrame} (counted here) for bytes that do not parse as the manifest's type. */
    @Override
    public Object fromBinary(byte[] bytes, String manifest) {
        try {
            return WireTypes.parse(manifest, bytes);
        } catch (InvalidProtocolBufferException e) {
            String type = WireTypes.typeName(manifest);
            WireStats.get(system).rejections().reject("malformed:" + type, bytes.length + " bytes: " + e.getMessage());
            return new MalformedFrame(type, bytes.length);
        }
    }
}

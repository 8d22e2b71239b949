package onebyte.coordinator.cluster;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.GeneratedMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import onebyte.node.wire.RawFrame;
import onebyte.node.wire.WireTypes;

/**
 * A seeded generator of bad wire messages: from a plausible message of a type (its template) it
 * makes one of {@link Mutation}'s variants, either a protobuf message or a {@link RawFrame} of
 * exact bytes under a manifest. The same seed and the same calls give the same messages.
 */
final class WireFuzzer {
    /** How a template is spoiled. */
    enum Mutation {
        /** One field set to a random value of its type (or cleared). */
        FIELD,
        /** Every field random. */
        RANDOM,
        /** The template's bytes cut short. */
        TRUNCATE,
        /** The template's bytes with one to three bits flipped. */
        BITFLIP,
        /** The template for a round other than the current one (old, next, far ahead). */
        WRONG_ROUND,
        /** The template twice. */
        DUPLICATE,
        /** Three variants for rounds r-1, r, r+1 (and samples or indexes 0, 1, 2) in shuffled order. */
        REORDER,
        /** The template's bytes under another type's manifest, or under no type's. */
        WRONG_TYPE,
        /** The template as it is: the fuzzer's own messages for the round being opened, which it is not in (never drawn). */
        AS_IS
    }

    private static final List<String> MANIFESTS = List.of("J", "A", "JR", "SD", "O", "C", "K", "SR", "SC", "LR", "LC", "L", "M",
            "E", "FJ", "FA", "FR", "FO", "FC", "FD", "FL", "FE");

    private final Random rnd;

    WireFuzzer(long seed) {
        this.rnd = new Random(seed);
    }

    Random random() {
        return rnd;
    }

    /** A mutation drawn uniformly. */
    Mutation mutation() {
        return Mutation.values()[rnd.nextInt(Mutation.AS_IS.ordinal())];
    }

    /** The messages (protobuf or {@link RawFrame}) of {@code m} applied to {@code template}; {@code round} is the current round. */
    List<Object> spoil(GeneratedMessage template, Mutation m, long round) {
        String manifest = WireTypes.manifest(template.getClass());
        byte[] bytes = template.toByteArray();
        switch (m) {
            case FIELD -> {
                Message.Builder b = template.toBuilder();
                List<FieldDescriptor> fields = b.getDescriptorForType().getFields();
                FieldDescriptor f = fields.get(rnd.nextInt(fields.size()));
                if (rnd.nextInt(5) == 0) {
                    b.clearField(f);
                } else {
                    b.clearField(f);
                    setRandom(b, f, 0);
                }
                return List.of(b.build());
            }
            case RANDOM -> {
                Message.Builder b = template.newBuilderForType();
                randomFields(b, 0);
                return List.of(b.build());
            }
            case TRUNCATE -> {
                int len = bytes.length == 0 ? 0 : rnd.nextInt(bytes.length);
                return List.of(new RawFrame(manifest, java.util.Arrays.copyOf(bytes, len)));
            }
            case BITFLIP -> {
                byte[] flipped = bytes.length == 0 ? new byte[] {(byte) rnd.nextInt(256)} : bytes.clone();
                int flips = 1 + rnd.nextInt(3);
                for (int i = 0; i < flips; i++) {
                    int bit = rnd.nextInt(flipped.length * 8);
                    flipped[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                return List.of(new RawFrame(manifest, flipped));
            }
            case WRONG_ROUND -> {
                FieldDescriptor f = roundField(template);
                if (f == null) {
                    return spoil(template, Mutation.FIELD, round);
                }
                long[] choices = {round + 1 + rnd.nextInt(3), round + 1000 + rnd.nextInt(1_000_000), Math.max(0, round - 1 - rnd.nextInt(3)),
                        Long.MAX_VALUE - rnd.nextInt(10)};
                long wrong = choices[rnd.nextInt(choices.length)];
                if (wrong == round) {
                    wrong = round + 1;
                }
                return List.of(withNumber(template, f, wrong));
            }
            case DUPLICATE -> {
                return List.of(template, template);
            }
            case REORDER -> {
                FieldDescriptor f = roundField(template);
                FieldDescriptor k = field(template, "sample", "index");
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    GeneratedMessage v = template;
                    if (f != null) {
                        v = withNumber(v, f, Math.max(0, round - 1 + i));
                    }
                    if (k != null) {
                        v = withNumber(v, k, i);
                    }
                    out.add(v);
                }
                Collections.shuffle(out, rnd);
                return out;
            }
            case WRONG_TYPE -> {
                String other = rnd.nextInt(4) == 0 ? "X" + rnd.nextInt(100) : MANIFESTS.get(rnd.nextInt(MANIFESTS.size()));
                if (other.equals(manifest)) {
                    other = "ZZ";
                }
                return List.of(new RawFrame(other, bytes));
            }
            case AS_IS -> {
                return List.of(template);
            }
            default -> throw new IllegalStateException(m.name());
        }
    }

    /** The message a frame decodes to at its receiver, or null when it does not parse. */
    static GeneratedMessage decoded(Object shot) {
        if (shot instanceof GeneratedMessage g) {
            return g;
        }
        RawFrame f = (RawFrame) shot;
        if (!WireTypes.known(f.manifest())) {
            return null;
        }
        try {
            return WireTypes.parse(f.manifest(), f.bytes());
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    private static FieldDescriptor roundField(GeneratedMessage m) {
        return field(m, "round", "rounds", "first_round", "from_round");
    }

    private static FieldDescriptor field(GeneratedMessage m, String... names) {
        for (String n : names) {
            FieldDescriptor f = m.getDescriptorForType().findFieldByName(n);
            if (f != null && !f.isRepeated()) {
                return f;
            }
        }
        return null;
    }

    private static GeneratedMessage withNumber(GeneratedMessage m, FieldDescriptor f, long v) {
        Object value = f.getJavaType() == FieldDescriptor.JavaType.LONG ? (Object) v : (Object) (int) v;
        return (GeneratedMessage) m.toBuilder().setField(f, value).build();
    }

    private void randomFields(Message.Builder b, int depth) {
        for (FieldDescriptor f : b.getDescriptorForType().getFields()) {
            if (rnd.nextInt(10) < 7) {
                setRandom(b, f, depth);
            }
        }
    }

    private void setRandom(Message.Builder b, FieldDescriptor f, int depth) {
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= 2) {
            return;
        }
        if (f.isRepeated()) {
            int n = rnd.nextInt(5);
            for (int i = 0; i < n; i++) {
                b.addRepeatedField(f, value(b, f, depth));
            }
        } else {
            b.setField(f, value(b, f, depth));
        }
    }

    private Object value(Message.Builder b, FieldDescriptor f, int depth) {
        return switch (f.getJavaType()) {
            case INT -> randomInt();
            case LONG -> randomLong();
            case FLOAT -> (float) randomDouble();
            case DOUBLE -> randomDouble();
            case BOOLEAN -> rnd.nextBoolean();
            case STRING -> randomString();
            case BYTE_STRING -> {
                byte[] x = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(2048) : rnd.nextInt(16)];
                rnd.nextBytes(x);
                yield ByteString.copyFrom(x);
            }
            case ENUM -> {
                List<EnumValueDescriptor> vs = f.getEnumType().getValues();
                yield vs.get(rnd.nextInt(vs.size()));
            }
            case MESSAGE -> {
                Message.Builder sub = b.newBuilderForField(f);
                randomFields(sub, depth + 1);
                yield sub.build();
            }
        };
    }

    private int randomInt() {
        return switch (rnd.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 1 + rnd.nextInt(8);
            case 2 -> -1 - rnd.nextInt(8);
            case 3 -> Integer.MAX_VALUE - rnd.nextInt(3);
            case 4 -> Integer.MIN_VALUE + rnd.nextInt(3);
            default -> rnd.nextInt();
        };
    }

    private long randomLong() {
        return switch (rnd.nextInt(5)) {
            case 0 -> 0;
            case 1 -> 1 + rnd.nextInt(40);
            case 2 -> -1 - rnd.nextInt(8);
            case 3 -> Long.MAX_VALUE - rnd.nextInt(3);
            default -> rnd.nextLong();
        };
    }

    private double randomDouble() {
        double[] special = {0, -0.0, -1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, 1e300};
        return rnd.nextInt(3) == 0 ? rnd.nextGaussian() * 10 : special[rnd.nextInt(special.length)];
    }

    private String randomString() {
        return switch (rnd.nextInt(4)) {
            case 0 -> "";
            case 1 -> "akka://onebyte@127.0.0.1:" + rnd.nextInt(65536) + "/user/x#" + rnd.nextInt();
            case 2 -> "\u0000\uffff\ud83d\ude00" + rnd.nextInt();
            default -> {
                StringBuilder s = new StringBuilder();
                int n = rnd.nextInt(60);
                for (int i = 0; i < n; i++) {
                    s.append((char) (32 + rnd.nextInt(95)));
                }
                yield s.toString();
            }
        };
    }
}

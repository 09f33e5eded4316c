package dev.kale4j.runtime.marshal;

/** One-byte type tags of the body format. Append only: artifacts written by older versions must stay readable. */
final class Tags {
    private Tags() {
    }

    static final byte NULL = 0;
    static final byte FALSE = 1;
    static final byte TRUE = 2;
    static final byte BYTE = 3;
    static final byte SHORT = 4;
    static final byte CHAR = 5;
    static final byte INT = 6;
    static final byte LONG = 7;
    static final byte FLOAT = 8;
    static final byte DOUBLE = 9;
    static final byte STRING = 10;

    static final byte BOOLEAN_ARRAY = 20;
    static final byte BYTE_ARRAY = 21;
    static final byte SHORT_ARRAY = 22;
    static final byte CHAR_ARRAY = 23;
    static final byte INT_ARRAY = 24;
    static final byte LONG_ARRAY = 25;
    static final byte FLOAT_ARRAY = 26;
    static final byte DOUBLE_ARRAY = 27;
    static final byte OBJECT_ARRAY = 28;

    static final byte LIST = 30;
    static final byte SET = 31;
    static final byte MAP = 32;
    static final byte COLLECTION = 33;

    static final byte OPTIONAL_EMPTY = 40;
    static final byte OPTIONAL = 41;
    static final byte OPTIONAL_INT = 42;
    static final byte OPTIONAL_LONG = 43;
    static final byte OPTIONAL_DOUBLE = 44;

    static final byte ENUM = 50;
    static final byte RECORD = 51;

    static final byte BIG_DECIMAL = 60;
    static final byte BIG_INTEGER = 61;
    static final byte UUID = 62;
    static final byte TEMPORAL = 63;
    static final byte PATH = 64;
    static final byte URI = 65;

    static final byte JACKSON = 70;
    static final byte SERIALIZABLE = 71;
    static final byte CODEC = 72;

    /** Written after a {@link ValueCodec}'s payload: a codec that reads back less or more than it wrote is caught. */
    static final int CODEC_END = 0x4B34_454E; // "K4EN"

    // Collection kinds (the byte after LIST / SET / MAP / COLLECTION).
    static final byte K_HASH_OR_ARRAY = 0;   // ArrayList, HashSet, HashMap
    static final byte K_LINKED = 1;          // LinkedList, LinkedHashSet, LinkedHashMap
    static final byte K_SORTED = 2;          // TreeSet, TreeMap (+ order byte)
    static final byte K_IMMUTABLE = 3;       // List.of, toList(), Set.of, Map.of, Collections.unmodifiable*/empty*/singleton*
    static final byte K_FIXED_SIZE = 4;      // Arrays.asList
    static final byte K_ENUM = 5;            // EnumSet, EnumMap (+ enum class)
    static final byte K_CUSTOM = 6;          // any other class with a no-arg constructor (+ class)
    static final byte K_UNMODIFIABLE_SORTED = 7; // Collections.unmodifiableSorted*/Navigable* (+ order byte)

    static final byte ORDER_NATURAL = 0;
    static final byte ORDER_REVERSE = 1;

    // Record component kinds: primitives are written raw (no tag), anything else as a tagged value.
    static final byte C_BOOLEAN = 'Z';
    static final byte C_BYTE = 'B';
    static final byte C_SHORT = 'S';
    static final byte C_CHAR = 'C';
    static final byte C_INT = 'I';
    static final byte C_LONG = 'J';
    static final byte C_FLOAT = 'F';
    static final byte C_DOUBLE = 'D';
    static final byte C_VALUE = 'L';

    static byte componentKind(Class<?> t) {
        if (!t.isPrimitive()) {
            return C_VALUE;
        }
        if (t == int.class) return C_INT;
        if (t == long.class) return C_LONG;
        if (t == double.class) return C_DOUBLE;
        if (t == boolean.class) return C_BOOLEAN;
        if (t == float.class) return C_FLOAT;
        if (t == byte.class) return C_BYTE;
        if (t == short.class) return C_SHORT;
        return C_CHAR;
    }
}

package dev.kale4j.cluster.kfp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The proto3 JSON mapping, straight to Jackson trees and protobuf {@link Struct}s. {@link JsonFormat} goes
 * through text; the KFP compiler converts the same large step specs several times (deployment config to
 * Struct, pipeline to YAML), and the text round trips were most of its cost. Output equals
 * {@code JsonFormat.printer()} (tests compare them): field order by number, defaults omitted, int64 as strings,
 * enums by name, maps as objects, Struct/Value/ListValue as plain JSON; other well-known types fall back to
 * {@link JsonFormat}.
 */
public final class ProtoJson {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ProtoJson() {
    }

    public static JsonNode toTree(MessageOrBuilder m) {
        String type = m.getDescriptorForType().getFullName();
        switch (type) {
            case "google.protobuf.Struct":
                return struct((Struct) (m instanceof Struct.Builder b ? b.build() : m));
            case "google.protobuf.Value":
                return value((Value) (m instanceof Value.Builder b ? b.build() : m));
            case "google.protobuf.ListValue":
                return list((ListValue) (m instanceof ListValue.Builder b ? b.build() : m));
            default:
                if (type.startsWith("google.protobuf.")) {
                    return fallback(m);
                }
        }
        ObjectNode o = F.objectNode();
        for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            String name = f.getJsonName();
            if (f.isMapField()) {
                ObjectNode map = F.objectNode();
                for (Object entry : (List<?>) e.getValue()) {
                    Message me = (Message) entry;
                    FieldDescriptor kf = me.getDescriptorForType().findFieldByNumber(1);
                    FieldDescriptor vf = me.getDescriptorForType().findFieldByNumber(2);
                    map.set(String.valueOf(me.getField(kf)), single(vf, me.getField(vf)));
                }
                o.set(name, map);
            } else if (f.isRepeated()) {
                ArrayNode arr = F.arrayNode();
                for (Object v : (List<?>) e.getValue()) {
                    arr.add(single(f, v));
                }
                o.set(name, arr);
            } else {
                o.set(name, single(f, e.getValue()));
            }
        }
        return o;
    }

    /** The message as a Struct (what the IR holds for deployment and platform specs). */
    public static Struct toStruct(MessageOrBuilder m) {
        return toStruct((ObjectNode) toTree(m));
    }

    public static Struct toStruct(ObjectNode o) {
        Struct.Builder s = Struct.newBuilder();
        o.fields().forEachRemaining(e -> s.putFields(e.getKey(), toValue(e.getValue())));
        return s.build();
    }

    private static Value toValue(JsonNode n) {
        Value.Builder v = Value.newBuilder();
        if (n.isObject()) {
            v.setStructValue(toStruct((ObjectNode) n));
        } else if (n.isArray()) {
            ListValue.Builder l = ListValue.newBuilder();
            n.forEach(x -> l.addValues(toValue(x)));
            v.setListValue(l);
        } else if (n.isNumber()) {
            v.setNumberValue(n.asDouble());
        } else if (n.isBoolean()) {
            v.setBoolValue(n.asBoolean());
        } else if (n.isNull()) {
            v.setNullValue(NullValue.NULL_VALUE);
        } else {
            v.setStringValue(n.asText());
        }
        return v.build();
    }

    private static JsonNode single(FieldDescriptor f, Object v) {
        return switch (f.getJavaType()) {
            case MESSAGE -> toTree((MessageOrBuilder) v);
            case ENUM -> {
                EnumValueDescriptor ev = (EnumValueDescriptor) v;
                yield ev.getIndex() == -1 ? F.numberNode(ev.getNumber()) : F.textNode(ev.getName());
            }
            case STRING -> F.textNode((String) v);
            case BOOLEAN -> F.booleanNode((Boolean) v);
            case INT -> f.getType() == FieldDescriptor.Type.UINT32 || f.getType() == FieldDescriptor.Type.FIXED32
                    ? F.numberNode(Integer.toUnsignedLong((Integer) v)) : F.numberNode((Integer) v);
            case LONG -> F.textNode(f.getType() == FieldDescriptor.Type.UINT64 || f.getType() == FieldDescriptor.Type.FIXED64
                    ? Long.toUnsignedString((Long) v) : Long.toString((Long) v));
            case DOUBLE -> number((Double) v);
            case FLOAT -> number(((Float) v).doubleValue());
            case BYTE_STRING -> F.textNode(Base64.getEncoder().encodeToString(((ByteString) v).toByteArray()));
        };
    }

    private static JsonNode number(double d) {
        return Double.isNaN(d) || Double.isInfinite(d) ? F.textNode(Double.toString(d))
                : F.numberNode(d);
    }

    private static JsonNode struct(Struct s) {
        ObjectNode o = F.objectNode();
        s.getFieldsMap().forEach((k, v) -> o.set(k, value(v)));
        return o;
    }

    private static JsonNode list(ListValue l) {
        ArrayNode a = F.arrayNode();
        l.getValuesList().forEach(v -> a.add(value(v)));
        return a;
    }

    private static JsonNode value(Value v) {
        return switch (v.getKindCase()) {
            case STRUCT_VALUE -> struct(v.getStructValue());
            case LIST_VALUE -> list(v.getListValue());
            case NUMBER_VALUE -> F.numberNode(v.getNumberValue());
            case BOOL_VALUE -> F.booleanNode(v.getBoolValue());
            case STRING_VALUE -> F.textNode(v.getStringValue());
            case NULL_VALUE, KIND_NOT_SET -> F.nullNode();
        };
    }

    private static JsonNode fallback(MessageOrBuilder m) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(JsonFormat.printer().print(m));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.kale4j.runtime.marshal;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.Set;

/**
 * POJOs through Jackson: a class qualifies when Jackson can rebuild it completely, i.e. it has a no-arg constructor
 * and every property Jackson would write can also be set back (setter, field, or creator parameter). Classes with
 * getters only would silently come back half-empty, so they are not beans here (they may still be Serializable).
 * Properties are typed by their declared types: a field declared {@code Object} comes back as Jackson's default
 * (map, list, string, number).
 */
final class JacksonSupport {
    final ObjectMapper mapper = JsonMapper.builder()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Null when the class is a round-trippable bean, otherwise why not. */
    String whyNotBean(Class<?> c) {
        int mod = c.getModifiers();
        if (c.isInterface() || Modifier.isAbstract(mod) || c.isArray() || c.isPrimitive() || c.isAnonymousClass()
                || c.isLocalClass() || c.isMemberClass() && !Modifier.isStatic(mod) || isPlatformClass(c)) {
            return "not a bean";
        }
        try {
            JavaType type = mapper.constructType(c);
            BeanDescription ser = mapper.getSerializationConfig().introspect(type);
            if (ser.findProperties().isEmpty()) {
                return "it has no bean properties";
            }
            BeanDescription deser = mapper.getDeserializationConfig().introspect(type);
            if (deser.findDefaultConstructor() == null) {
                return "it has no no-arg constructor";
            }
            Set<String> settable = new HashSet<>();
            for (BeanPropertyDefinition p : deser.findProperties()) {
                if (p.hasSetter() || p.hasField() || p.hasConstructorParameter()) {
                    settable.add(p.getName());
                }
            }
            for (BeanPropertyDefinition p : ser.findProperties()) {
                if (p.couldSerialize() && !settable.contains(p.getName())) {
                    return "property `" + p.getName() + "` can be read but not set";
                }
            }
            return null;
        } catch (RuntimeException e) {
            return "Jackson cannot introspect it (" + e.getMessage() + ")";
        }
    }

    static boolean isPlatformClass(Class<?> c) {
        String n = c.getName();
        return n.startsWith("java.") || n.startsWith("javax.") || n.startsWith("jdk.") || n.startsWith("sun.")
                || n.startsWith("com.sun.");
    }
}

package dev.kale4j.runtime.marshal;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.BadAttributeValueExpException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Java deserialization only ever sees the classes the producer wrote, and never known gadget classes. */
class SerializableFilterTest {
    @TempDir
    Path dir;

    private final Marshaller marshaller = Marshaller.create(getClass().getClassLoader());
    private final TypeResolver resolver = TypeResolver.of(getClass().getClassLoader());

    /** Stands in for a gadget: its readObject would run code on deserialization. */
    static final class Gadget implements Serializable {
        static volatile boolean triggered;
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            triggered = true;
        }
    }

    static final class Innocent implements Serializable {
        private static final long serialVersionUID = 1L;
        final String text;
        final List<Object> extras = new ArrayList<>();

        Innocent(String text) {
            this.text = text;
        }
    }

    @BeforeEach
    void reset() {
        Gadget.triggered = false;
    }

    private static byte[] serialize(Object o) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bos)) {
            out.writeObject(o);
        }
        return bos.toByteArray();
    }

    @Test
    void aGenuineArtifactRoundTripsAndRecordsItsClasses() {
        Innocent value = new Innocent("hello");
        value.extras.add(42);
        Path file = dir.resolve("ok.k4j");
        assertThat(marshaller.write("v", value, "Innocent", file).codec()).isEqualTo("kale4j.serializable");
        Innocent back = (Innocent) marshaller.read(file, resolver);
        assertThat(back.text).isEqualTo("hello");
        assertThat(back.extras).containsExactly(42);
    }

    @Test
    void aClassNotRecordedAtWriteTimeIsRejectedBeforeItsCodeRuns() throws IOException {
        // Forged: the allow list names only Innocent, the stream carries a Gadget inside an Innocent.
        Innocent carrier = new Innocent("carrier");
        carrier.extras.add(new Gadget());
        Path file = dir.resolve("forged.k4j");
        new Forge().tag(Tags.SERIALIZABLE).varInt(3)
                .string(Innocent.class.getName()).string(ArrayList.class.getName()).string("java.lang.Object")
                .bytes(serialize(carrier))
                .writeTo(file, "v", "Innocent", "kale4j.serializable");
        assertThatThrownBy(() -> marshaller.read(file, resolver))
                .isInstanceOf(MarshalException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("was refused")
                .hasMessageContaining(Gadget.class.getName());
        assertThat(Gadget.triggered).isFalse();
    }

    @Test
    void aKnownGadgetClassIsRejectedEvenIfTheArtifactListsIt() throws IOException {
        Path file = dir.resolve("gadget.k4j");
        new Forge().tag(Tags.SERIALIZABLE).varInt(3)
                .string(BadAttributeValueExpException.class.getName()).string(Exception.class.getName())
                .string(Throwable.class.getName())
                .bytes(serialize(new BadAttributeValueExpException("x")))
                .writeTo(file, "v", "Object", "kale4j.serializable");
        assertThatThrownBy(() -> marshaller.read(file, resolver))
                .isInstanceOf(MarshalException.class)
                .hasMessageContaining("was refused")
                .hasMessageContaining("javax.management.BadAttributeValueExpException");
    }

    @Test
    void theWriterRefusesGadgetClassesToo() {
        Path file = dir.resolve("w.k4j");
        assertThatThrownBy(() -> marshaller.write("e", new BadAttributeValueExpException("x"), "Exception", file))
                .isInstanceOf(MarshalException.class)
                .hasMessageContaining("variable `e` of type `Exception` cannot be saved")
                .hasMessageContaining("known deserialization gadget");
    }

    @Test
    void gadgetAsRecordComponentIsAlsoFiltered() throws IOException {
        // The Serializable payload may sit deep inside a structural value: same filter.
        Path file = dir.resolve("deep.k4j");
        new Forge().tag(Tags.LIST).tag(Tags.K_HASH_OR_ARRAY).varInt(1)
                .tag(Tags.SERIALIZABLE).varInt(1).string(Innocent.class.getName())
                .bytes(serialize(new Gadget()))
                .writeTo(file, "v", "List<Object>", "kale4j.binary");
        assertThatThrownBy(() -> marshaller.read(file, resolver)).isInstanceOf(MarshalException.class)
                .hasMessageContaining("was refused").hasMessageContaining(Gadget.class.getName());
        assertThat(Gadget.triggered).isFalse();
    }
}

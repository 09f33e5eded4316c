package dev.kale4j.runtime.marshal;

import java.io.IOException;
import java.util.Map;

/** ValueCodecs used by {@link ValueCodecTest}; public so that ServiceLoader can instantiate them. */
public final class TestCodecs {
    private TestCodecs() {
    }

    /** A library type: final, no bean shape, not Serializable. */
    public static final class Matrix {
        final int rows;
        final int cols;
        final double[] data;
        final Map<String, Object> meta;

        public Matrix(int rows, int cols, double[] data, Map<String, Object> meta) {
            this.rows = rows;
            this.cols = cols;
            this.data = data;
            this.meta = meta;
        }
    }

    public static class MatrixCodec implements ValueCodec {
        @Override
        public String id() {
            return "test.matrix";
        }

        @Override
        public int version() {
            return 3;
        }

        @Override
        public boolean supports(Class<?> type) {
            return type == Matrix.class;
        }

        @Override
        public void write(Object value, WriteContext out) throws IOException {
            Matrix m = (Matrix) value;
            out.writeType(Matrix.class);
            out.writeInt(m.rows);
            out.writeInt(m.cols);
            out.writeDoubles(m.data);
            out.writeValue(m.meta); // nested: kale4j's own format
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object read(ReadContext in) throws IOException {
            if (in.codecVersion() != 3) {
                throw new IOException("unexpected version " + in.codecVersion());
            }
            if (in.readType() != Matrix.class) {
                throw new IOException("type did not survive");
            }
            return new Matrix(in.readInt(), in.readInt(), in.readDoubles(), (Map<String, Object>) in.readValue());
        }
    }

    /** Same class, higher priority: must win. */
    public static class PreferredMatrixCodec extends MatrixCodec {
        @Override
        public String id() {
            return "test.matrix.preferred";
        }

        @Override
        public int priority() {
            return 10;
        }
    }

    /** Reads less than it wrote. */
    public static class SloppyCodec extends MatrixCodec {
        @Override
        public String id() {
            return "test.sloppy";
        }

        @Override
        public Object read(ReadContext in) throws IOException {
            in.readType();
            return new Matrix(in.readInt(), in.readInt(), null, null);
        }
    }

    /** Fails while writing. */
    public static class FailingCodec extends MatrixCodec {
        @Override
        public String id() {
            return "test.failing";
        }

        @Override
        public void write(Object value, WriteContext out) {
            throw new IllegalStateException("model is not fitted");
        }
    }

    /** Tries to take a reserved id. */
    public static class ReservedIdCodec extends MatrixCodec {
        @Override
        public String id() {
            return "kale4j.binary";
        }
    }
}

package dev.kale4j.kernel.engine;

import java.io.IOException;

/** Reads a line for user code's System.in; the kernel implements it with input_request on stdin. */
public interface InputProvider {
    /** The line without its newline, or null when input is not available (end of input). */
    String readLine(String prompt, boolean password) throws IOException;
}

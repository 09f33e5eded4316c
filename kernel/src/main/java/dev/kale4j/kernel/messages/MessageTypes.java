package dev.kale4j.kernel.messages;

/** Message type names of the Jupyter messaging protocol 5.3 that the kernel handles or sends. */
public final class MessageTypes {
    public static final String PROTOCOL_VERSION = "5.3";

    public static final String KERNEL_INFO_REQUEST = "kernel_info_request";
    public static final String EXECUTE_REQUEST = "execute_request";
    public static final String COMPLETE_REQUEST = "complete_request";
    public static final String INSPECT_REQUEST = "inspect_request";
    public static final String IS_COMPLETE_REQUEST = "is_complete_request";
    public static final String HISTORY_REQUEST = "history_request";
    public static final String COMM_INFO_REQUEST = "comm_info_request";
    public static final String COMM_OPEN = "comm_open";
    public static final String COMM_MSG = "comm_msg";
    public static final String COMM_CLOSE = "comm_close";
    public static final String SHUTDOWN_REQUEST = "shutdown_request";
    public static final String INTERRUPT_REQUEST = "interrupt_request";
    public static final String INPUT_REQUEST = "input_request";
    public static final String INPUT_REPLY = "input_reply";

    public static final String STATUS = "status";
    public static final String STREAM = "stream";
    public static final String EXECUTE_INPUT = "execute_input";
    public static final String EXECUTE_RESULT = "execute_result";
    public static final String DISPLAY_DATA = "display_data";
    public static final String ERROR = "error";

    private MessageTypes() {
    }

    /** The reply type for a request type ("x_request" to "x_reply"). */
    public static String replyTo(String requestType) {
        return requestType.endsWith("_request")
                ? requestType.substring(0, requestType.length() - "_request".length()) + "_reply"
                : requestType + "_reply";
    }
}

package dev.kale4j.annotator;

import dev.kale4j.common.UserError;

/** The notebook cannot become a pipeline; the message names the notebook, the cell and the tag or line. */
public class InvalidNotebookException extends UserError {
    public InvalidNotebookException(String message) {
        super(message);
    }

    public InvalidNotebookException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A problem located at one cell: "NOTEBOOK: cell 3 (id abc): what". */
    public static InvalidNotebookException at(Cell cell, String what) {
        return new InvalidNotebookException(cell.describe() + ": " + what);
    }
}

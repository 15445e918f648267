/// Text from a file made safe to print: control characters become visible escapes.
///
/// Tensor names, metadata and JSON keys come from files anyone can write; an escape
/// sequence (ESC, CSI), a carriage return or a newline in them could repaint or hide what
/// the terminal shows. Every C0 control (U+0000–U+001F), DEL (U+007F) and C1 control
/// (U+0080–U+009F) is written as `\u{…}` in hex; everything else, backslashes included, is
/// kept, so escaping twice changes nothing. ``CheckpointError`` and ``ModelLayoutError``
/// escape their whole description.
public enum TerminalText {
    /// `text` with every control character written as `\u{XX}`.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}

/// Text for XML request bodies (and the tests' XML answers).
public enum XMLText {
    public static func escape(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;")
            .replacing(">", with: "&gt;")
    }
}

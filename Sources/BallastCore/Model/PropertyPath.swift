/// A property path is a JSON Pointer (RFC 6901) into a resource's properties, everywhere ballast
/// keeps or shows one: `/RouteSettings/GET ~1pets~1{id}/ThrottlingRateLimit`. A name holding `/`
/// or `~` (a route key, a registry property `a/b`, a condition key `aws:RequestTag/team`) is one
/// segment, escaped as `~1` and `~0`; the root `""` is never a property's path.
public enum PropertyPath {
    /// `a/b~c` -> `a~1b~0c`.
    public static func escape(_ name: String) -> String {
        guard name.contains("/") || name.contains("~") else { return name }
        return name.replacing("~", with: "~0").replacing("/", with: "~1")
    }

    /// `a~1b~0c` -> `a/b~c` (`~1` first replaced, then `~0`, as RFC 6901 section 4 says).
    public static func unescape<S: StringProtocol>(_ segment: S) -> String {
        guard segment.contains("~") else { return String(segment) }
        return String(segment).replacing("~1", with: "/").replacing("~0", with: "~")
    }

    /// The path of `name` inside `path`: `/A` + `b/c` -> `/A/b~1c`.
    public static func appending(_ path: String, _ name: String) -> String {
        path + "/" + escape(name)
    }

    /// The path of a list item: `/Rules` + 0 -> `/Rules/0`.
    public static func appending(_ path: String, index: Int) -> String {
        path + "/" + String(index)
    }

    /// The names a path walks through, unescaped: `/A/b~1c` -> `["A", "b/c"]`. Empty names are
    /// kept (`/a//b` has three); the root has none.
    public static func segments(_ path: String) -> [String] {
        guard path.hasPrefix("/") else { return path.isEmpty ? [] : [unescape(path)] }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(unescape)
    }

    /// `["A", "b/c"]` -> `/A/b~1c`.
    public static func join<C: Collection<String>>(_ names: C) -> String {
        names.map { "/" + escape($0) }.joined()
    }

    /// A `--property` argument as a path: `/DesiredCapacity` as it is, `DesiredCapacity` and
    /// `ProvisionedThroughput/ReadCapacityUnits` with a `/` between the names.
    public static func argument(_ text: String) -> String {
        text.hasPrefix("/") ? text : join(text.split(separator: "/").map(String.init))
    }

    /// The path for reading: `/Rules/0/Name` -> `Rules[0].Name`; a name that is not a plain
    /// identifier is quoted: `/RouteSettings/GET ~1pets/ThrottlingRateLimit` ->
    /// `RouteSettings["GET /pets"].ThrottlingRateLimit`. Not escaped for any output: renderers do that.
    public static func readable(_ path: String) -> String {
        segments(path).reduce(into: "") { out, name in
            if !name.isEmpty, name.allSatisfy(\.isASCIIDigit) {
                out += "[\(name)]"
            } else if !name.isEmpty, name.unicodeScalars.allSatisfy(isPlain) {
                out += (out.isEmpty ? "" : ".") + name
            } else {
                let quoted = name.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
                out += "[\"\(quoted)\"]"
            }
        }
    }

    private static func isPlain(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_"
            || scalar == "-" || scalar == ":")
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

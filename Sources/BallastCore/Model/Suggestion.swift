/// "Did you mean" hints: the closest known name by edit distance, if close enough.
public enum Suggestion {
    public static func closest(to word: String, in candidates: some Collection<String>) -> String? {
        let lowered = word.lowercased()
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let d = editDistance(lowered, candidate.lowercased())
            if d < (best?.distance ?? .max) { best = (candidate, d) }
        }
        // A truncated name ("DesiredCap") is a typo too, however far its edit distance.
        if lowered.count >= 4, let whole = candidates.first(where: { $0.lowercased().hasPrefix(lowered) }) {
            return whole
        }
        guard let best else { return nil }
        // Allow roughly one typo per three characters, and always a case-only slip.
        let limit = max(2, word.count / 3)
        return best.distance <= limit ? best.name : nil
    }

    /// " (did you mean X?)" or "".
    public static func hint(for word: String, in candidates: some Collection<String>) -> String {
        closest(to: word, in: candidates).map { " (did you mean \($0)?)" } ?? ""
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

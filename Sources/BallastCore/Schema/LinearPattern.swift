/// A JSON Schema `pattern` (ECMA-262 syntax, found anywhere in the value) matched in time linear in
/// the value's length: the pattern is compiled to a Thompson NFA and the value run through it once,
/// every state at a time, so no pattern can backtrack (`^(a+)+$` on `aaaa…b` takes as long as any
/// other). A registry schema is repository text, so it is untrusted: what this cannot match in
/// linear time (back-references, lookaround, inline flags) is refused at compile, and the value
/// left "not checked" by the caller, never guessed at.
public struct LinearPattern: Sendable {
    /// Why a pattern is not compiled.
    public struct Unsupported: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// ballast's bound, not AWS's: a counted repetition (`a{1000}{1000}`) unrolls into this many
    /// states at most; a larger program is refused, as an unsupported one is.
    public static let maxProgram = 4_096
    /// ballast's bound: a pattern longer than this is not compiled.
    public static let maxPatternLength = 1_024

    enum Instruction: Sendable {
        /// Reads one scalar in `sets[n]` (by index: an instruction holds no reference, so stepping through
        /// states retains nothing).
        case scalar(Int)
        case split(Int, Int)
        case jump(Int)
        case start
        case end
        case match
    }

    /// Scalars as inclusive ranges and Unicode general categories (`\p{L}`); `negated` flips membership.
    struct CharacterSet: Sendable {
        var ranges: [ClosedRange<UInt32>]
        var negated = false
        /// Categories by their one- or two-letter name (`L`, `Zs`): a scalar in any of them is in the set.
        var categories: Set<String> = []
        /// The same, negated one by one (`\P{L}`: anything not a letter).
        var excludedCategories: Set<String> = []

        /// Membership of the 128 ASCII scalars, worked out once (`finished()`): most values are ASCII.
        var ascii: (low: UInt64, high: UInt64)?

        init(ranges: [ClosedRange<UInt32>], negated: Bool = false) {
            self.ranges = ranges
            self.negated = negated
        }

        /// The set with its ASCII members worked out, as the program keeps it.
        func finished() -> CharacterSet {
            var set = self
            var low: UInt64 = 0, high: UInt64 = 0
            for scalar in UInt32(0)..<128 where lookUp(scalar) {
                if scalar < 64 { low |= 1 << UInt64(scalar) } else { high |= 1 << UInt64(scalar - 64) }
            }
            set.ascii = (low, high)
            return set
        }

        func contains(_ scalar: UInt32) -> Bool {
            if scalar < 128, let ascii {
                return (scalar < 64 ? ascii.low >> UInt64(scalar) : ascii.high >> UInt64(scalar - 64)) & 1 == 1
            }
            return lookUp(scalar)
        }

        private func lookUp(_ scalar: UInt32) -> Bool {
            var found = ranges.contains { $0.contains(scalar) }
            if !found, !categories.isEmpty || !excludedCategories.isEmpty, let value = Unicode.Scalar(scalar) {
                let name = Self.category(value)
                found = categories.contains { name.hasPrefix($0) }
                    || excludedCategories.contains { !name.hasPrefix($0) }
            }
            return found != negated
        }

        /// The two-letter name of a scalar's general category (`Lu`, `Nd`, `Zs`).
        static func category(_ scalar: Unicode.Scalar) -> String {
            switch scalar.properties.generalCategory {
            case .uppercaseLetter: "Lu"
            case .lowercaseLetter: "Ll"
            case .titlecaseLetter: "Lt"
            case .modifierLetter: "Lm"
            case .otherLetter: "Lo"
            case .nonspacingMark: "Mn"
            case .spacingMark: "Mc"
            case .enclosingMark: "Me"
            case .decimalNumber: "Nd"
            case .letterNumber: "Nl"
            case .otherNumber: "No"
            case .connectorPunctuation: "Pc"
            case .dashPunctuation: "Pd"
            case .openPunctuation: "Ps"
            case .closePunctuation: "Pe"
            case .initialPunctuation: "Pi"
            case .finalPunctuation: "Pf"
            case .otherPunctuation: "Po"
            case .mathSymbol: "Sm"
            case .currencySymbol: "Sc"
            case .modifierSymbol: "Sk"
            case .otherSymbol: "So"
            case .spaceSeparator: "Zs"
            case .lineSeparator: "Zl"
            case .paragraphSeparator: "Zp"
            case .control: "Cc"
            case .format: "Cf"
            case .surrogate: "Cs"
            case .privateUse: "Co"
            case .unassigned: "Cn"
            @unknown default: "Cn"
            }
        }

        /// General categories `\p{...}` may name: each group and each member.
        static let categoryNames: Set<String> = ["L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd",
                                                 "Nl", "No", "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm",
                                                 "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs", "Co",
                                                 "Cn"]

        /// Adds another set's members (a class escape inside a class).
        mutating func add(_ other: CharacterSet) {
            if other.negated {
                // Only a negated set of ranges is folded in (as its complement); categories stay whole.
                ranges += Parser.complement(other.ranges)
            } else {
                ranges += other.ranges
                categories.formUnion(other.categories)
                excludedCategories.formUnion(other.excludedCategories)
            }
        }

        static let digit = CharacterSet(ranges: [0x30...0x39])
        static let word = CharacterSet(ranges: [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
        /// ECMA-262 `WhiteSpace` and `LineTerminator`.
        static let space = CharacterSet(ranges: [0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680,
                                                 0x2000...0x200A, 0x2028...0x2029, 0x202F...0x202F,
                                                 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF])
        /// `.`: anything but a line terminator.
        static let dot = CharacterSet(ranges: [0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029], negated: true)

        var inverted: CharacterSet { CharacterSet(ranges: ranges, negated: !negated) }
    }

    let program: [Instruction]
    /// The scalar sets the program's `scalar` instructions read.
    let sets: [CharacterSet]
    public let source: String

    public init(_ pattern: String) throws(Unsupported) {
        guard pattern.utf8.count <= Self.maxPatternLength else {
            throw Unsupported(description: "longer than \(Self.maxPatternLength) bytes")
        }
        var parser = Parser(scalars: Array(pattern.unicodeScalars))
        let tree = try parser.parse()
        var compiler = Compiler()
        try compiler.emit(tree)
        try compiler.append(.match)
        program = compiler.program
        sets = compiler.sets.map { $0.finished() }
        source = pattern
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        var simulation = Simulation(program, sets: sets)
        return simulation.matches(text.unicodeScalars)
    }

    /// One run of the program over a value: every live state at once, each value scalar read once. Its
    /// lists are its own (a nested function capturing them would box each one on the heap per call).
    struct Simulation {
        let program: [Instruction]
        let sets: [CharacterSet]
        var current: [Int] = [], next: [Int] = [], stack: [Int] = []
        var mark: [Int]
        var generation = 0

        init(_ program: [Instruction], sets: [CharacterSet]) {
            self.program = program
            self.sets = sets
            mark = [Int](repeating: -1, count: program.count)
        }

        /// Adds a state and everything it reaches without reading (to `next`, or to `current`); true when
        /// that reaches `match`.
        mutating func add(_ start: Int, atStart: Bool, atEnd: Bool, toNext: Bool) -> Bool {
            stack.removeAll(keepingCapacity: true)
            stack.append(start)
            while let pc = stack.popLast() {
                guard mark[pc] != generation else { continue }
                mark[pc] = generation
                switch program[pc] {
                case .match: return true
                case .jump(let target): stack.append(target)
                case .split(let a, let b): stack.append(b); stack.append(a)
                case .start: if atStart { stack.append(pc + 1) }
                case .end: if atEnd { stack.append(pc + 1) }
                case .scalar: if toNext { next.append(pc) } else { current.append(pc) }
                }
            }
            return false
        }

        mutating func matches(_ scalars: String.UnicodeScalarView) -> Bool {
            // A pattern that begins with `^` can only match from the first position.
            let anchored = if case .start = program.first { true } else { false }
            var index = scalars.startIndex
            var atStart = true
            while true {
                let atEnd = index == scalars.endIndex
                // Unanchored: a match may start at every position.
                if !anchored || atStart, add(0, atStart: atStart, atEnd: atEnd, toNext: false) { return true }
                guard !atEnd, !(anchored && current.isEmpty) else { return false }
                generation += 1
                next.removeAll(keepingCapacity: true)
                let scalar = scalars[index].value
                scalars.formIndex(after: &index)
                let nextAtEnd = index == scalars.endIndex
                for pc in current {
                    if case .scalar(let set) = program[pc], sets[set].contains(scalar),
                       add(pc + 1, atStart: false, atEnd: nextAtEnd, toNext: true) { return true }
                }
                swap(&current, &next)
                atStart = false
            }
        }
    }

    // MARK: Parsing

    indirect enum Node {
        case empty
        case set(CharacterSet)
        case start, end
        case concat([Node])
        case alternation([Node])
        case repeated(Node, min: Int, max: Int?)
    }

    struct Parser {
        let scalars: [Unicode.Scalar]
        var at = 0
        var depth = 0

        init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

        func unsupported(_ what: String) -> Unsupported { Unsupported(description: what) }

        var peek: Unicode.Scalar? { at < scalars.count ? scalars[at] : nil }

        mutating func parse() throws(Unsupported) -> Node {
            let node = try alternation()
            if at < scalars.count { throw unsupported("an unmatched ) at \(at + 1)") }
            return node
        }

        mutating func alternation() throws(Unsupported) -> Node {
            depth += 1
            defer { depth -= 1 }
            guard depth <= 64 else { throw unsupported("groups nested over 64 deep") }
            var branches = [try sequence()]
            while peek == "|" {
                at += 1
                branches.append(try sequence())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func sequence() throws(Unsupported) -> Node {
            var items: [Node] = []
            while let scalar = peek, scalar != "|", scalar != ")" {
                var atom = try self.atom()
                if let quantifier = try self.quantifier() {
                    if case .start = atom { throw unsupported("a quantified anchor") }
                    if case .end = atom { throw unsupported("a quantified anchor") }
                    atom = .repeated(atom, min: quantifier.min, max: quantifier.max)
                    // ECMA-262 repeats an atom once: `a**` is a syntax error.
                    if let next = peek, ["*", "+", "?"].contains(next) || (next == "{" && startsCounted()) {
                        throw unsupported("a quantifier with nothing to repeat")
                    }
                }
                items.append(atom)
            }
            return items.count == 1 ? items[0] : (items.isEmpty ? .empty : .concat(items))
        }

        mutating func quantifier() throws(Unsupported) -> (min: Int, max: Int?)? {
            guard let scalar = peek else { return nil }
            var result: (min: Int, max: Int?)
            switch scalar {
            case "*": result = (0, nil); at += 1
            case "+": result = (1, nil); at += 1
            case "?": result = (0, 1); at += 1
            case "{":
                guard let counted = counted() else { return nil } // a literal `{` (ECMA-262 Annex B)
                result = counted
            default: return nil
            }
            if peek == "?" { at += 1 } // lazy: the same language
            if let max = result.max, max < result.min { throw unsupported("a repetition {\(result.min),\(max)}") }
            return result
        }

        /// Whether a counted repetition starts here (nothing read).
        func startsCounted() -> Bool {
            var copy = self
            return copy.counted() != nil
        }

        /// `{n}`, `{n,}`, `{n,m}`; nil (nothing read) when the brace is not one.
        mutating func counted() -> (min: Int, max: Int?)? {
            var cursor = at + 1
            func number() -> Int? {
                var value = 0, digits = 0
                while cursor < scalars.count, let digit = Int(String(scalars[cursor])), digits < 6 {
                    value = value * 10 + digit
                    digits += 1
                    cursor += 1
                }
                return digits == 0 ? nil : value
            }
            guard let low = number() else { return nil }
            var high: Int? = low
            if cursor < scalars.count, scalars[cursor] == "," {
                cursor += 1
                high = number()
            }
            guard cursor < scalars.count, scalars[cursor] == "}" else { return nil }
            at = cursor + 1
            return (low, high)
        }

        mutating func atom() throws(Unsupported) -> Node {
            let scalar = scalars[at]
            at += 1
            switch scalar {
            case "^": return .start
            case "$": return .end
            case ".": return .set(.dot)
            case "[": return .set(try characterClass())
            case "(":
                if peek == "?" {
                    at += 1
                    if peek == ":" {
                        at += 1
                    } else if peek == "<", at + 1 < scalars.count, scalars[at + 1] != "=", scalars[at + 1] != "!" {
                        // A named group: its name is not needed to match.
                        while let next = peek, next != ">" { at += 1 }
                        guard peek == ">" else { throw unsupported("an unterminated group name") }
                        at += 1
                    } else {
                        throw unsupported("lookaround or inline flags (?\(peek.map(String.init) ?? ""))")
                    }
                }
                let inner = try alternation()
                guard peek == ")" else { throw unsupported("an unclosed (") }
                at += 1
                return inner
            case ")": throw unsupported("an unmatched )")
            case "*", "+", "?": throw unsupported("a quantifier with nothing to repeat")
            case "\\": return try escape(inClass: false)
            default: return .set(CharacterSet(ranges: [scalar.value...scalar.value]))
            }
        }

        /// After `\`: a class, a control character, or the character itself.
        mutating func escape(inClass: Bool) throws(Unsupported) -> Node {
            guard let scalar = peek else { throw unsupported("a trailing \\") }
            at += 1
            func one(_ value: UInt32) -> Node { .set(CharacterSet(ranges: [value...value])) }
            switch scalar {
            case "d": return .set(.digit)
            case "D": return .set(CharacterSet.digit.inverted)
            case "w": return .set(.word)
            case "W": return .set(CharacterSet.word.inverted)
            case "s": return .set(.space)
            case "S": return .set(CharacterSet.space.inverted)
            case "n": return one(0x0A)
            case "r": return one(0x0D)
            case "t": return one(0x09)
            case "f": return one(0x0C)
            case "v": return one(0x0B)
            case "0": return one(0)
            case "b" where inClass: return one(0x08)
            case "b", "B": throw unsupported("a word boundary \\\(scalar)")
            case "x": return one(try hex(2))
            case "u": return one(try hex(4))
            case "1"..."9": throw unsupported("a back-reference \\\(scalar)")
            case "p", "P":
                // A Unicode general category, as ECMA-262's `u` flag reads `\p{L}` (schemas use it so).
                guard peek == "{", let close = scalars[at...].firstIndex(of: "}") else {
                    throw unsupported("the escape \\\(scalar) without {name}")
                }
                let name = String(String.UnicodeScalarView(scalars[(at + 1)..<close]))
                guard CharacterSet.categoryNames.contains(name) else {
                    throw unsupported("the property \\\(scalar){\(name)}")
                }
                at = close + 1
                var set = CharacterSet(ranges: [])
                if scalar == "p" { set.categories = [name] } else { set.excludedCategories = [name] }
                return .set(set)
            case "c", "k": throw unsupported("the escape \\\(scalar)")
            default:
                guard !(scalar.properties.isAlphabetic && scalar.isASCII) else {
                    throw unsupported("the escape \\\(scalar)")
                }
                return one(scalar.value)
            }
        }

        mutating func hex(_ count: Int) throws(Unsupported) -> UInt32 {
            guard at + count <= scalars.count,
                  let value = UInt32(String(String.UnicodeScalarView(scalars[at..<at + count])), radix: 16) else {
                throw unsupported("a malformed \\x or \\u escape")
            }
            at += count
            return value
        }

        mutating func characterClass() throws(Unsupported) -> CharacterSet {
            var set = CharacterSet(ranges: [])
            if peek == "^" {
                set.negated = true
                at += 1
            }
            var first = true
            while true {
                guard let scalar = peek else { throw unsupported("an unclosed [") }
                if scalar == "]", !first { at += 1; break }
                if scalar == "]" { at += 1; break } // `[]` matches nothing; `[^]` anything
                first = false
                let low = try classMember()
                // A range needs a single character on its left; after a class escape (`[\w-.]`), `-` is itself
                // (ECMA-262 Annex B).
                if let lo = low.single, peek == "-", at + 1 < scalars.count, scalars[at + 1] != "]" {
                    at += 1
                    let high = try classMember()
                    guard let hi = high.single, lo <= hi else { throw unsupported("a malformed class range") }
                    set.ranges.append(lo...hi)
                } else {
                    set.add(low.set)
                }
            }
            return set
        }

        /// One member of a class: a scalar, or a class escape; `single` when it is one character.
        mutating func classMember() throws(Unsupported) -> (set: CharacterSet, single: UInt32?) {
            let scalar = scalars[at]
            at += 1
            guard scalar == "\\" else { return (CharacterSet(ranges: [scalar.value...scalar.value]), scalar.value) }
            guard case .set(let inner) = try escape(inClass: true) else { throw unsupported("a class escape") }
            if inner.negated, !inner.categories.isEmpty || !inner.excludedCategories.isEmpty {
                throw unsupported("a negated category inside a class")
            }
            let single = !inner.negated && inner.categories.isEmpty && inner.excludedCategories.isEmpty
                && inner.ranges.count == 1 && inner.ranges[0].count == 1 ? inner.ranges[0].lowerBound : nil
            return (inner, single)
        }

        /// The ranges not covered by `ranges`, over every Unicode scalar value.
        static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
            var result: [ClosedRange<UInt32>] = []
            var next: UInt32 = 0
            for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
                next = max(next, range.upperBound + 1)
            }
            if next <= 0x10FFFF { result.append(next...0x10FFFF) }
            return result
        }
    }

    // MARK: Compiling

    struct Compiler {
        var program: [Instruction] = []
        var sets: [CharacterSet] = []

        mutating func append(_ instruction: Instruction) throws(Unsupported) {
            guard program.count < LinearPattern.maxProgram else {
                throw Unsupported(description: "over \(LinearPattern.maxProgram) states once its repetitions are "
                    + "counted out")
            }
            program.append(instruction)
        }

        mutating func emit(_ node: Node) throws(Unsupported) {
            switch node {
            case .empty: break
            case .set(let set):
                try append(.scalar(sets.count))
                sets.append(set)
            case .start: try append(.start)
            case .end: try append(.end)
            case .concat(let items): for item in items { try emit(item) }
            case .alternation(let branches):
                var jumps: [Int] = []
                for (index, branch) in branches.enumerated() {
                    if index == branches.count - 1 {
                        try emit(branch)
                    } else {
                        let split = program.count
                        try append(.split(split + 1, -1))
                        try emit(branch)
                        jumps.append(program.count)
                        try append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    }
                }
                for jump in jumps { program[jump] = .jump(program.count) }
            case .repeated(let inner, let min, let max):
                for _ in 0..<min { try emit(inner) }
                if let max {
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        try append(.split(program.count + 1, -1))
                        try emit(inner)
                    }
                    for split in splits { program[split] = .split(split + 1, program.count) }
                } else {
                    let loop = program.count
                    try append(.split(loop + 1, -1))
                    try emit(inner)
                    try append(.jump(loop))
                    program[loop] = .split(loop + 1, program.count)
                }
            }
        }
    }
}

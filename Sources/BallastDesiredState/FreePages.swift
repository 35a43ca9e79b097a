import Glibc

/// The allocator's free pages given back to the system: glibc's `malloc_trim(0)`, found with `dlsym` as
/// Swift's Glibc module leaves `malloc.h` out; nothing where the C library has none.
enum FreePages {
    private typealias Trim = @convention(c) (Int) -> Int32
    // RTLD_DEFAULT is the null handle: the process's own symbols, glibc's among them.
    private static let trim: Trim? = dlsym(nil, "malloc_trim").map {
        unsafeBitCast($0, to: Trim.self)
    }

    static func giveBack() {
        _ = trim?(0)
    }
}

import BallastDesiredState
import BallastKinds

public extension DesiredStateLoader {
    /// The loader with every kind of this build, as `ballast` makes it.
    static var builtIn: DesiredStateLoader { DesiredStateLoader(kinds: Kinds.builtIn) }
}

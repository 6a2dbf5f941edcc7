/// How finely a log line's timestamp resolves time: a line stamped `12:00:01` with ``seconds`` was logged
/// somewhere in [12:00:01, 12:00:02).
///
/// Rust's env_logger, Go's `log` and many JSON loggers (epoch seconds) stamp to the second, so a ramp and its
/// lines share the ramp start's second; comparisons against run phases must honour this (``LogMatcher``).
public enum LogTimestampPrecision: String, Sendable, Codable, Equatable, Hashable, CaseIterable, Comparable {
    /// Whole seconds (`2026-12-02T04:25:11Z`, `2026/12/02 04:25:11`, epoch seconds).
    case seconds
    /// Tenths of a second (one fraction digit).
    case deciseconds
    /// Hundredths of a second (two fraction digits).
    case centiseconds
    /// Milliseconds (three fraction digits, epoch milliseconds).
    case milliseconds
    /// Microseconds (four to six fraction digits).
    case microseconds
    /// Nanoseconds (seven to nine fraction digits: `kubectl logs --timestamps`).
    case nanoseconds

    /// The length of the interval one stamp stands for, in seconds.
    public var interval: Double {
        switch self {
        case .seconds: return 1
        case .deciseconds: return 0.1
        case .centiseconds: return 0.01
        case .milliseconds: return 0.001
        case .microseconds: return 0.000_001
        case .nanoseconds: return 0.000_000_001
        }
    }

    /// The precision of a stamp written with `digits` fraction digits (0: seconds).
    public init(fractionDigits digits: Int) {
        switch digits {
        case ...0: self = .seconds
        case 1: self = .deciseconds
        case 2: self = .centiseconds
        case 3: self = .milliseconds
        case 4...6: self = .microseconds
        default: self = .nanoseconds
        }
    }

    /// Coarser precisions sort first (`seconds < milliseconds`).
    public static func < (a: Self, b: Self) -> Bool { a.interval > b.interval }
}

/// Parsing and checking of permessage-deflate extension parameters, shared by both roles (RFC 7692 §7.1).
enum DeflateNegotiation {
    /// The four RFC 7692 parameters after validation.
    struct Parameters: Sendable, Hashable {
        var serverNoContextTakeover = false
        var clientNoContextTakeover = false
        var serverMaxWindowBits: Int?
        /// 0 means the bare `client_max_window_bits` (allowed in offers only).
        var clientMaxWindowBits: Int?
    }

    /// Why a parameter list is invalid.
    struct Failure: Error, Hashable {
        var message: String
    }

    /// Validates `parameters` (RFC 7692 §7.1): only the four known names, each at most once;
    /// `*_no_context_takeover` without a value; window bits `8...15` written as a decimal
    /// without leading zeros (token or quoted-string, RFC 7692 §7.1); a bare
    /// `client_max_window_bits` only in an offer (§7.1.2.2).
    static func parse(_ parameters: [ExtensionHeader.Parameter], isOffer: Bool) -> Result<Parameters, Failure> {
        var result = Parameters()
        var seen: Set<String> = []
        for parameter in parameters {
            guard seen.insert(parameter.name).inserted else {
                return .failure(Failure(message: "duplicate parameter \(parameter.name)"))
            }
            switch parameter.name {
            case "server_no_context_takeover", "client_no_context_takeover":
                guard parameter.value == nil else {
                    return .failure(Failure(message: "\(parameter.name) takes no value"))
                }
                if parameter.name == "server_no_context_takeover" {
                    result.serverNoContextTakeover = true
                } else {
                    result.clientNoContextTakeover = true
                }
            case "server_max_window_bits":
                guard let value = parameter.value, let bits = windowBits(value) else {
                    return .failure(Failure(message: "server_max_window_bits=\(parameter.value ?? "") is not 8...15"))
                }
                result.serverMaxWindowBits = bits
            case "client_max_window_bits":
                if let value = parameter.value {
                    guard let bits = windowBits(value) else {
                        return .failure(Failure(message: "client_max_window_bits=\(value) is not 8...15"))
                    }
                    result.clientMaxWindowBits = bits
                } else {
                    guard isOffer else {
                        return .failure(Failure(message: "client_max_window_bits needs a value in a response"))
                    }
                    result.clientMaxWindowBits = 0
                }
            default:
                return .failure(Failure(message: "unknown parameter \(parameter.name)"))
            }
        }
        return .success(result)
    }

    /// `8`...`15` exactly as written: 1*DIGIT without leading zeros (RFC 7692 §7.1.2.1).
    static func windowBits(_ value: String) -> Int? {
        switch value {
        case "8": return 8
        case "9": return 9
        case "10": return 10
        case "11": return 11
        case "12": return 12
        case "13": return 13
        case "14": return 14
        case "15": return 15
        default: return nil
        }
    }
}

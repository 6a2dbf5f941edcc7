/// Names of the cookies that load balancers set for session affinity, recognised without configuration.
///
/// A connection whose pod no header names is attributed by such a cookie (set on its 101 or the pre-flight,
/// or sent from its jar) even when the profile names another cookie or none. The values stay secrets
/// (`cookie#<hash>` in outputs) unless they are a known pod's name; a cookie whose values do not group
/// connections (every value different, as AWS ALB's rotating `AWSALB`) is dropped again by the analysis.
public enum AffinityCookieNames {
    /// Exact names: ingress-nginx and HAProxy Ingress (`INGRESSCOOKIE`), HAProxy's customary `SERVERID`, AWS ALB
    /// (`AWSALB`, `AWSALBCORS`, target-group stickiness `AWSALBTG`, `AWSALBTGCORS`), Google Cloud (`GCLB`),
    /// Azure App Service (`ARRAffinity`, `ARRAffinitySameSite`), Traefik v1 (`_TRAEFIK_BACKEND`).
    public static let exact: Set<String> = [
        "INGRESSCOOKIE", "SERVERID", "AWSALB", "AWSALBCORS", "AWSALBTG", "AWSALBTGCORS", "GCLB",
        "ARRAffinity", "ARRAffinitySameSite", "_TRAEFIK_BACKEND",
    ]

    /// True for an exact name, Traefik v2's derived names (`_` and 5–8 lowercase hex digits: an abbreviated
    /// hash of the service) or an OpenShift route's default (32 lowercase hex digits).
    public static func isKnown(_ name: String) -> Bool {
        if exact.contains(name) { return true }
        let hex = { (s: Substring) in !s.isEmpty && s.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) } }
        if name.hasPrefix("_"), (5...8).contains(name.count - 1), hex(name.dropFirst()) { return true }
        return name.count == 32 && hex(name[...])
    }

    /// The first recognised affinity cookie among Set-Cookie header values, other than `excluding`.
    public static func first(inSetCookies setCookies: [String], excluding: String? = nil) -> (name: String, value: String)? {
        for header in setCookies {
            guard let (name, value) = Cookie.nameValue(setCookie: header) else { continue }
            if name != excluding, !value.isEmpty, isKnown(name) { return (name, value) }
        }
        return nil
    }

    /// The first recognised affinity cookie in a `Cookie` request header, other than `excluding`.
    public static func first(inCookieHeader header: String?, excluding: String? = nil) -> (name: String, value: String)? {
        guard let header else { return nil }
        return CookieHeader.nameValuePairs(header).first { $0.name != excluding && !$0.value.isEmpty && isKnown($0.name) }
    }
}

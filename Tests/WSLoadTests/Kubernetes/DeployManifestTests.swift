import Foundation
import Testing
import Yams

/// Offline checks of the example Kubernetes manifests in deploy/: they parse, and the fields that
/// make the reference pods work with wsload are set and consistent with each other.
@Suite("Deploy manifests")
struct DeployManifestTests {
    static let deployDirectory = TestPaths.packageRoot.appendingPathComponent("deploy")

    typealias Object = [String: Any]

    /// Every document of every deploy/*.yaml, with its file name.
    static func documents() throws -> [(file: String, object: Object)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: deployDirectory.path).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .sorted()
        var docs: [(String, Object)] = []
        for f in files {
            let text = try String(contentsOf: deployDirectory.appendingPathComponent(f), encoding: .utf8)
            for doc in try Yams.load_all(yaml: text) {
                guard let object = doc as? Object else { Issue.record("\(f): a document is not a mapping"); continue }
                docs.append((f, object))
            }
        }
        return docs
    }

    static func one(kind: String, in file: String) throws -> Object {
        let matches = try documents().filter { $0.file == file && $0.object["kind"] as? String == kind }
        guard matches.count == 1 else { throw CLIFailure("\(file): expected one \(kind), found \(matches.count)") }
        return matches[0].object
    }

    /// Follows a key path through mappings and lists (`containers.0.args`).
    static func value(_ object: Any?, _ path: String) -> Any? {
        var current = object
        for key in path.split(separator: ".") {
            if let i = Int(key), let list = current as? [Any] {
                current = i < list.count ? list[i] : nil
            } else {
                current = (current as? Object)?[String(key)]
            }
        }
        return current
    }

    static func labels(_ object: Any?) -> [String: String] { (object as? Object)?.compactMapValues { $0 as? String } ?? [:] }

    @Test func everyManifestIsAKubernetesObject() throws {
        let docs = try Self.documents()
        let files = Set(docs.map(\.file))
        // deploy/ may hold more manifests (e.g. the load-generator Job); these four are the reference pods.
        #expect(files.isSuperset(of: ["deployment.yaml", "service.yaml", "service-clientip.yaml", "ingress-cookie.yaml"]), "\(files)")
        for (file, o) in docs {
            #expect(o["apiVersion"] is String, "\(file): apiVersion")
            #expect(o["kind"] is String, "\(file): kind")
            #expect(Self.value(o, "metadata.name") is String, "\(file): metadata.name")
            if !["ConfigMap", "Secret", "List"].contains(o["kind"] as? String ?? "") { #expect(o["spec"] is Object, "\(file): spec") }
        }
    }

    @Test func deploymentRunsTheReferenceServer() throws {
        let d = try Self.one(kind: "Deployment", in: "deployment.yaml")
        #expect(d["apiVersion"] as? String == "apps/v1")
        #expect(Self.value(d, "spec.replicas") as? Int == 3)
        let selector = Self.labels(Self.value(d, "spec.selector.matchLabels"))
        let podLabels = Self.labels(Self.value(d, "spec.template.metadata.labels"))
        #expect(!selector.isEmpty)
        #expect(selector.allSatisfy { podLabels[$0.key] == $0.value }, "selector \(selector) does not match pod labels \(podLabels)")

        let containers = Self.value(d, "spec.template.spec.containers") as? [Object] ?? []
        #expect(containers.count == 1)
        let c = try #require(containers.first)
        let command = ((c["command"] as? [String]) ?? []) + ((c["args"] as? [String]) ?? [])
        #expect(command.first == "serve", "\(command)")
        #expect(command.contains("--listen") && command.contains("0.0.0.0:8080"), "\(command)")
        if let i = command.firstIndex(of: "--log-format") {
            #expect(command[i + 1] == "plain")
        } else {
            Issue.record("no --log-format in \(command)")
        }

        let env = c["env"] as? [Object] ?? []
        let podName = env.first { $0["name"] as? String == "POD_NAME" }
        #expect(Self.value(podName, "valueFrom.fieldRef.fieldPath") as? String == "metadata.name", "POD_NAME must come from the downward API")

        let ports = c["ports"] as? [Object] ?? []
        #expect(ports.contains { $0["containerPort"] as? Int == 8080 && $0["name"] as? String == "ws" }, "\(ports)")
        let probePort = Self.value(c, "readinessProbe.tcpSocket.port")
        #expect(probePort as? String == "ws" || probePort as? Int == 8080, "readiness must be a TCP socket probe on the ws port")

        // The pod must get the whole drain before SIGKILL: grace >= preStop pause + --drain-timeout (default 10 s).
        let drain = command.firstIndex(of: "--drain-timeout").flatMap { Double(command[$0 + 1]) } ?? 10
        let preStop =
            (Self.value(c, "lifecycle.preStop.exec.command") as? [String]).flatMap { $0.first == "sleep" ? Double($0.last ?? "") : nil }
            ?? (Self.value(c, "lifecycle.preStop.sleep.seconds") as? Int).map(Double.init) ?? 0
        let grace = Self.value(d, "spec.template.spec.terminationGracePeriodSeconds") as? Int ?? 30
        #expect(Double(grace) >= preStop + drain, "terminationGracePeriodSeconds \(grace) < preStop \(preStop) + drain \(drain)")
    }

    @Test(arguments: [("service.yaml", "None"), ("service-clientip.yaml", "ClientIP")])
    func servicesSelectTheDeploymentsPods(file: String, affinity: String) throws {
        let s = try Self.one(kind: "Service", in: file)
        let d = try Self.one(kind: "Deployment", in: "deployment.yaml")
        #expect(s["apiVersion"] as? String == "v1")
        #expect((Self.value(s, "spec.type") as? String ?? "ClusterIP") == "ClusterIP")
        #expect((Self.value(s, "spec.sessionAffinity") as? String ?? "None") == affinity)
        let selector = Self.labels(Self.value(s, "spec.selector"))
        let podLabels = Self.labels(Self.value(d, "spec.template.metadata.labels"))
        #expect(
            !selector.isEmpty && selector.allSatisfy { podLabels[$0.key] == $0.value }, "\(file): selector \(selector) vs pod labels \(podLabels)")
        let containerPorts = (Self.value(d, "spec.template.spec.containers.0.ports") as? [Object] ?? [])
        let target = Self.value(s, "spec.ports.0.targetPort")
        #expect(
            containerPorts.contains {
                ($0["name"] as? String).map { $0 == target as? String } == true || $0["containerPort"] as? Int == target as? Int
            },
            "\(file): targetPort \(String(describing: target)) is not a container port")
        if affinity == "ClientIP" {
            #expect(Self.value(s, "spec.sessionAffinityConfig.clientIP.timeoutSeconds") as? Int == 10800)
        } else {
            #expect(Self.value(s, "spec.sessionAffinityConfig") == nil)
        }
    }

    @Test func ingressUsesCookieAffinityAndLongTimeouts() throws {
        let i = try Self.one(kind: "Ingress", in: "ingress-cookie.yaml")
        #expect(i["apiVersion"] as? String == "networking.k8s.io/v1")
        let a = Self.labels(Self.value(i, "metadata.annotations"))
        #expect(a["nginx.ingress.kubernetes.io/affinity"] == "cookie")
        #expect(a["nginx.ingress.kubernetes.io/session-cookie-name"] == "SERVERID")
        #expect(a["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "3600")
        #expect(a["nginx.ingress.kubernetes.io/proxy-send-timeout"] == "3600")
        // Annotation values must be strings in YAML; a bare 3600 would be rejected by the API server.
        for (k, v) in Self.value(i, "metadata.annotations") as? Object ?? [:] { #expect(v is String, "annotation \(k) is not a string") }

        // The backend is the plain Service (cookie affinity happens in nginx, not in kube-proxy).
        let service = try Self.one(kind: "Service", in: "service.yaml")
        let backend = Self.value(i, "spec.rules.0.http.paths.0.backend.service")
        #expect(Self.value(backend, "name") as? String == Self.value(service, "metadata.name") as? String)
        let port = Self.value(backend, "port.name") as? String
        #expect(port != nil && port == Self.value(service, "spec.ports.0.name") as? String)
    }

    /// The attribution cookie the ingress-20conns profile expects is the one the Ingress sets.
    @Test func ingressCookieMatchesTheProfile() throws {
        let profile = try String(
            contentsOf: Self.deployDirectory.deletingLastPathComponent().appendingPathComponent("profiles/ingress-20conns.yaml"), encoding: .utf8)
        let cookie = Self.value(try Yams.load(yaml: profile), "attribution.cookie") as? String
        let i = try Self.one(kind: "Ingress", in: "ingress-cookie.yaml")
        #expect(Self.labels(Self.value(i, "metadata.annotations"))["nginx.ingress.kubernetes.io/session-cookie-name"] == cookie)
    }

    @Test func dockerfileBuildsTheReleaseProductOnDebianSlim() throws {
        let text = try String(contentsOf: Self.deployDirectory.appendingPathComponent("Dockerfile"), encoding: .utf8)
        let froms = text.split(separator: "\n").filter { $0.hasPrefix("FROM ") }
        #expect(froms.count == 2, "multi-stage: \(froms)")
        #expect(froms.first?.contains("swift:") == true, "\(froms)")
        #expect(froms.last?.contains("debian:") == true && froms.last?.contains("slim") == true, "\(froms)")
        #expect(text.contains("swift build -c release --product wsload"))
        #expect(text.contains("libssl3") && text.contains("zlib1g"))
        #expect(text.contains("ENTRYPOINT [\"/usr/local/bin/wsload\"]"), "exec form, so SIGTERM reaches wsload")
        // The image's user must be the one the Deployment runs as.
        let d = try Self.one(kind: "Deployment", in: "deployment.yaml")
        let uid = Self.value(d, "spec.template.spec.containers.0.securityContext.runAsUser") as? Int
        #expect(uid == nil || text.contains("USER \(uid!)"), "Dockerfile USER vs runAsUser \(String(describing: uid))")
    }
}

extension DeployManifestTests {
    /// The scrape example keeps exactly the pods the Deployment annotates, on the port the container listens on,
    /// and names each sample's pod the way `server_metrics.pod_label` (default `pod`) expects.
    @Test func prometheusScrapeConfigMatchesThePodAnnotations() throws {
        let d = try Self.one(kind: "Deployment", in: "deployment.yaml")
        let annotations = Self.labels(Self.value(d, "spec.template.metadata.annotations"))
        let port = Self.value(d, "spec.template.spec.containers.0.ports.0.containerPort") as? Int
        #expect(annotations["prometheus.io/scrape"] == "true")
        #expect(annotations["prometheus.io/port"] == port.map(String.init) && annotations["prometheus.io/path"] == "/metrics")
        let map = try Self.one(kind: "ConfigMap", in: "prometheus-scrape.yaml")
        let text = try #require((map["data"] as? Object)?["prometheus.yml"] as? String)
        let config = try #require(try Yams.load(yaml: text) as? Object)
        let job = try #require((config["scrape_configs"] as? [Any])?.first as? Object)
        let rules = (job["relabel_configs"] as? [Object]) ?? []
        let keep = rules.first { $0["action"] as? String == "keep" }
        #expect(
            (keep?["source_labels"] as? [String]) == ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"] && keep?["regex"] as? String == "true")
        #expect(rules.contains { $0["target_label"] as? String == "pod" && ($0["source_labels"] as? [String]) == ["__meta_kubernetes_pod_name"] })
        // The address rule puts the annotated port on the pod IP.
        let address = try #require(rules.first { $0["target_label"] as? String == "__address__" })
        let regex = try NSRegularExpression(pattern: "^" + (address["regex"] as? String ?? "") + "$")
        let input = "10.1.2.3:9999;8080"
        let out = regex.stringByReplacingMatches(in: input, range: NSRange(input.startIndex..., in: input), withTemplate: "$1:$2")
        #expect(out == "10.1.2.3:8080")
        // The example profile snippet in the header reads the gauge wsload serve exports.
        let header = try String(contentsOf: Self.deployDirectory.appendingPathComponent("prometheus-scrape.yaml"), encoding: .utf8)
        #expect(header.contains("metric: wsload_serve_active_connections"))
    }
}

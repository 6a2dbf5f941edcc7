// swift-tools-version: 6.0
// Throughput benchmarks for WSProtocol; run with
//   swift run -c release --package-path Benchmarks --scratch-path .build-bench wsproto-bench
import PackageDescription

let package = Package(
    name: "wsload-benchmarks",
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "wsproto-bench", dependencies: [.product(name: "WSProtocol", package: "main")]),
    ]
)

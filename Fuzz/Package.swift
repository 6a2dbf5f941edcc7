// swift-tools-version: 6.0
// libFuzzer targets for WSProtocol; see README.md for the build/run commands.
import PackageDescription

let package = Package(
    name: "wsload-fuzz",
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CFuzzerDriver"),
        .executableTarget(name: "FuzzFrameDecoder", dependencies: ["CFuzzerDriver", .product(name: "WSProtocol", package: "main")]),
        .executableTarget(name: "FuzzResponseHead", dependencies: ["CFuzzerDriver", .product(name: "WSProtocol", package: "main")]),
        .executableTarget(name: "FuzzInflater", dependencies: ["CFuzzerDriver", .product(name: "WSProtocol", package: "main")]),
    ]
)

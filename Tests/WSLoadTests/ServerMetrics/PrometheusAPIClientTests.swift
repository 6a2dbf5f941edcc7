import Foundation
import Testing

@testable import WSLoad

/// The Prometheus HTTP API client: bodies written by hand in the shapes of the API documentation
/// ("Expression query result formats"), and a loopback server that answers like Prometheus.
@Suite struct PrometheusAPIClientTests {
    func decode(_ s: String) throws(PrometheusResponse.Malformed) -> PrometheusResponse.Decoded { try PrometheusResponse.decode(Array(s.utf8)) }

    @Test func anInstantVectorKeepsLabelsTimesAndValues() throws {
        let body = """
            {"status":"success","data":{"resultType":"vector","result":[
              {"metric":{"__name__":"up","job":"prometheus","instance":"localhost:9090"},"value":[1435781451.781,"1"]},
              {"metric":{"pod":"ws-1"},"value":[1435781451.781,"NaN"]},
              {"metric":{"pod":"ws-2"},"value":[1435781451,"+Inf"]}]}}
            """
        guard case .success(.vector(let series), let warnings) = try decode(body) else { Issue.record("not a vector"); return }
        #expect(warnings.isEmpty)
        #expect(series.count == 3)
        #expect(series[0].labels == ["__name__": "up", "job": "prometheus", "instance": "localhost:9090"])
        #expect(series[0].samples == [PrometheusSample(time: Date(timeIntervalSince1970: 1435781451.781), value: 1)])
        #expect(series[1].samples[0].value.isNaN)
        #expect(series[2].samples[0].value == .infinity)
    }

    @Test func aMatrixKeepsEverySampleInOrderAndWarnings() throws {
        let body = """
            {"status":"success","warnings":["some shards were slow"],"data":{"resultType":"matrix","result":[
              {"metric":{"pod":"ws-0"},"values":[[1435781430.781,"1"],[1435781445.781,"2.5"],[1435781460.781,"-3e2"]]}]}}
            """
        guard case .success(.matrix(let series), let warnings) = try decode(body) else { Issue.record("not a matrix"); return }
        #expect(warnings == ["some shards were slow"])
        #expect(series[0].samples.map(\.value) == [1, 2.5, -300])
        #expect(series[0].samples.map { $0.time.timeIntervalSince1970 } == [1435781430.781, 1435781445.781, 1435781460.781])
    }

    @Test func scalarsStringsAndErrorsDecode() throws {
        #expect(
            try decode(#"{"status":"success","data":{"resultType":"scalar","result":[1435781451.781,"42"]}}"#)
                == .success(.scalar(PrometheusSample(time: Date(timeIntervalSince1970: 1435781451.781), value: 42)), warnings: []))
        #expect(
            try decode(#"{"status":"success","data":{"resultType":"string","result":[1,"hi"]}}"#)
                == .success(.string(Date(timeIntervalSince1970: 1), "hi"), warnings: []))
        #expect(
            try decode(#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected \")\""}"#)
                == .error(type: "bad_data", message: "1:5: parse error: unexpected \")\""))
    }

    @Test(arguments: [
        ("<html>Not here</html>", "not JSON"),
        (#"{"data":{}}"#, "no \"status\""),
        (#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}"#, "has no \"value\""),
        (#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,2]}]}}"#, "not a number string"),
        (#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1]]}]}}"#, "values[0] is not [time"),
        (#"{"status":"success","data":{"resultType":"histogram","result":[]}}"#, "unknown resultType"),
    ])
    func malformedBodiesSayWhatIsWrong(body: String, expected: String) {
        do {
            _ = try decode(body)
            Issue.record("decoded \(body)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func statusesAndPrometheusErrorsBecomeErrorsForHumans() {
        func describe(_ status: Int, _ body: String) -> String {
            do {
                _ = try PrometheusAPIClient.interpret(status: status, body: Array(body.utf8), server: "http://p:9090", query: "sum by (pod) (x)")
                return "no error"
            } catch { return error.description }
        }
        #expect(
            describe(400, #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\""}"#)
                == #"Prometheus http://p:9090: query `sum by (pod) (x)`: HTTP 400, bad_data: invalid parameter "query""#)
        #expect(describe(503, "Service Unavailable\n") == "Prometheus http://p:9090: query `sum by (pod) (x)`: HTTP 503: Service Unavailable")
        #expect(describe(200, "[]").hasSuffix("not a Prometheus API response: the JSON has no \"status\" field"))
    }

    @Test func parametersArePercentEncodedAndTimesInUnixSeconds() {
        #expect(
            PrometheusAPIClient.percentEncode(#"sum by (pod) (ws{job="a b"})"#)
                == "sum%20by%20%28pod%29%20%28ws%7Bjob%3D%22a%20b%22%7D%29")
        #expect(PrometheusAPIClient.percentEncode("é") == "%C3%A9")
        #expect(PrometheusAPIClient.format(Date(timeIntervalSince1970: 1435781451.781)) == "1435781451.781")
        #expect(PrometheusAPIClient.format(Date(timeIntervalSince1970: 1435781451.5)) == "1435781451.5")
        #expect(PrometheusAPIClient.format(Date(timeIntervalSince1970: 1435781451)) == "1435781451")
        #expect(
            PrometheusAPIClient(baseURL: "http://p:9090/prom/").url("/api/v1/query", [("query", "up"), ("time", "1")])
                == "http://p:9090/prom/api/v1/query?query=up&time=1")
    }

    @Test func queriesGoOverLoopbackAndAnEmptyResultNamesTheQuery() throws {
        let server = try CannedHTTPServer { target in
            if target.hasPrefix("/api/v1/query_range") || target.contains("%5B1m%5D") {
                return (200, #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"pod":"a"},"values":[[10,"1"],[11,"2"]]}]}}"#)
            }
            if target.contains("query=absent") { return (200, #"{"status":"success","data":{"resultType":"vector","result":[]}}"#) }
            return (200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"pod":"a"},"value":[12,"7"]}]}}"#)
        }
        defer { server.stop() }
        let client = PrometheusAPIClient(baseURL: server.base, timeout: 2)
        let now = try client.instantVector("sum by (pod) (ws)", at: Date(timeIntervalSince1970: 12))
        #expect(now == [PrometheusSeries(labels: ["pod": "a"], samples: [PrometheusSample(time: Date(timeIntervalSince1970: 12), value: 7)])])
        let range = try client.range("ws", start: Date(timeIntervalSince1970: 10), end: Date(timeIntervalSince1970: 11), step: 1)
        #expect(range[0].samples.map(\.value) == [1, 2])
        #expect(
            server.targets == [
                "/api/v1/query?query=sum%20by%20%28pod%29%20%28ws%29&time=12",
                "/api/v1/query_range?query=ws&start=10&end=11&step=1",
            ])
        #expect(throws: PrometheusAPIError(server: server.base, query: "absent", cause: .emptyResult)) { try client.instantVector("absent") }
        // A range selector answers an instant query with a matrix.
        #expect(throws: PrometheusAPIError(server: server.base, query: "x[1m]", cause: .unexpectedResultType(expected: "vector", got: "matrix"))) {
            _ = try client.instantVector("x[1m]")
        }
    }

    @Test func nothingListeningIsATransportErrorNamingTheServer() {
        do {
            _ = try PrometheusAPIClient(baseURL: "http://127.0.0.1:1", timeout: 1).instantVector("up")
            Issue.record("query succeeded")
        } catch {
            #expect(error.description.hasPrefix("Prometheus http://127.0.0.1:1: query `up`: connect 127.0.0.1:1"), "\(error)")
        }
    }
}

"""A stand-in for Streamlit's side of the network component, for the benchmark and browser tests.

`serve()` serves the component's folder (`explorer.network_component.component_dir()`) on a local port
with one extra page, `/harness.html`, which frames the component's `index.html` and speaks Streamlit's
component protocol to it: it answers `streamlit:componentReady`, sends `streamlit:render` messages with
what `window.atlasRender(graph, height)` is given, and keeps every `streamlit:setComponentValue` in
`window.atlasValues` (calling `window.atlasOnValue(value)` when set). This measures the canvas without
the Streamlit server (whose rerun costs the same for the old and the new page).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from explorer.network_component import component_dir

HARNESS = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>canvas harness</title>
<style>html,body{margin:0}iframe{border:0;width:100%;height:620px;display:block}</style></head>
<body><iframe id="canvas" src="index.html" title="canvas"></iframe>
<script>
window.atlasValues = []; window.atlasReady = false; window.atlasHeight = null;
var frame = document.getElementById("canvas");
window.addEventListener("message", function (ev) {
  var d = ev.data || {};
  if (!d.isStreamlitMessage) return;
  if (d.type === "streamlit:componentReady") window.atlasReady = true;
  if (d.type === "streamlit:setFrameHeight") { window.atlasHeight = d.height; frame.style.height = d.height + "px"; }
  if (d.type === "streamlit:setComponentValue") {
    window.atlasValues.push(d.value);
    if (window.atlasOnValue) window.atlasOnValue(d.value);
  }
});
window.atlasRender = function (graph, height) {
  frame.contentWindow.postMessage({type: "streamlit:render", args: {graph: graph, height: height || 620},
                                   dfs: [], disabled: false, theme: {}}, "*");
};
</script></body></html>
"""


class _Handler(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        if self.path.split("?")[0] == "/harness.html":
            body = HARNESS.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        return


@contextmanager
def serve() -> Iterator[str]:
    """The harness's base URL (http://127.0.0.1:PORT) while the block runs; the server stops after."""
    handler = partial(_Handler, directory=str(component_dir()))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

{
  "targets": [
    {
      "target_name": "livecall_rtp_io",
      "sources": ["native/rtp_io.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "conditions": [["OS!='linux'", {"type": "none", "sources": []}]]
    }
  ]
}

{
  "targets": [
    {
      "target_name": "hepflow_inflate",
      "sources": ["inflate.c"],
      "cflags": ["-O2"],
      "libraries": ["-ldeflate"]
    }
  ]
}

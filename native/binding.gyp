{
  "targets": [
    {
      "target_name": "hepflow_inflate",
      "sources": ["inflate.c"],
      "cflags": ["-O3"],
      "libraries": ["-ldeflate"]
    }
  ]
}

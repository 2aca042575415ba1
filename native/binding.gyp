{
  "variables": { "with_libdeflate%": "true" },
  "targets": [
    {
      "target_name": "hepflow_kernels",
      "sources": ["kernels.cc", "kernels-avx512.cc", "kernels-avx2.cc", "kernels-sse2.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-ffp-contract=off", "-fno-math-errno", "-Wno-psabi"]
    }
  ],
  "conditions": [
    ["with_libdeflate=='true'", {
      "targets": [
        {
          "target_name": "hepflow_inflate",
          "sources": ["inflate.c"],
          "cflags": ["-O3"],
          "libraries": ["-ldeflate"]
        }
      ]
    }]
  ]
}

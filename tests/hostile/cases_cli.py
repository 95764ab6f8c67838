"""The catalogue of bad command lines.

Each case is an ``argv`` for :func:`cumulants.cli.main`, run in-process inside a capped
sandbox in a fresh temporary directory, with optional ``files`` created there first.  Every
case must exit with status 2 and exactly one line on stderr, without a traceback.

Families are generated per subcommand (bad numbers for every numeric option, bad laws, bad
activations); ``SUBCOMMANDS`` lists the subcommands the catalogue knows, and a test checks it
against the parser so a new subcommand cannot go uncovered.
"""

from __future__ import annotations

SUBCOMMANDS = ("convert", "propagate", "clt", "reproduce", "bound")

BAD_INT = {"negative": "-1", "zero": "0", "float": "2.5", "word": "abc", "empty": "",
           "huge": "1000000000", "nan": "nan"}

_TOML_BAD = {
    "seeds_negative": "[study]\nseeds = [-1]\n",
    "seeds_empty": "[study]\nseeds = []\n",
    "seeds_bool": "[study]\nseeds = [true]\n",
    "seeds_huge": "[study]\nseeds = [99999999999999999]\n",
    "z_threshold_negative": "[study]\nz_threshold = -1\n",
    "z_threshold_string": "[study]\nz_threshold = 'x'\n",
    "block_huge": "[study]\nblock = 1000000000\n",
    "block_one": "[study]\nblock = 1\n",
    "rg_samples_huge": "[study]\nrg_samples = 1000000000000\n",
    "rg_steps_huge": "[study]\nrg_steps = 1000\n",
    "weight_decay_negative": "[study]\nweight_decay = -1\n",
    "alpha_nan": "[study]\nalpha = nan\n",
    "train_samples_huge": "[study]\ntrain_samples = 1000000000000\n",
    "epochs_huge": "[study]\nepochs = 1000000000000\n",
    "lr_nan": "[study]\nlr = nan\n",
    "lr_inf": "[study]\nlr = inf\n",
    "variance_nan": "[study]\nvariance = nan\n",
    "law_unknown": "[study]\ntrain_laws = ['cauchy']\n",
    "law_variance_nan": "[study]\ntest_laws = ['gaussian@nan']\n",
    "law_variance_inf": "[study]\ntest_laws = ['gaussian@inf']\n",
    "unknown_key": "[study]\nbogus = 1\n",
    "unknown_table": "[bogus]\nx = 1\n",
    "not_toml": "this is not toml = = =\n",
    "study_not_table": "study = 3\n",
    "architectures_empty": "architectures = []\n",
    "architecture_bad_kind": "[[architectures]]\nname = 'a'\nkind = 'cnn'\nactivation = 'tanh'\n",
    "architecture_missing_key": "[[architectures]]\nname = 'a'\n",
    "architecture_not_table": "architectures = [1, 2]\n",
    "max_prediction_order_huge": "[study]\nmax_prediction_order = 1000000\n",
    "batch_size_zero": "[study]\nbatch_size = 0\n",
}


def _cases():
    out = []

    def add(cid, argv, files=None):
        out.append({"id": cid, "argv": argv, "files": files or {}})

    # top level
    add("top:unknown_command", ["frobnicate"])
    add("top:unknown_option", ["--bogus"])
    # convert
    for label, v in BAD_INT.items():
        add(f"convert:order={label}", ["convert", "--order", v])
    for label, v in {"div_zero": "1/0,1", "nan": "nan,1", "inf": "inf,1", "empty_entry": "1,,2",
                     "complex": "1+2j,1", "junk": "1;2", "only_comma": ",", "neg_var": "0,-1",
                     "m2_lt_m1sq": "3,1", "huge_exponent": "1e999,1", "word_expr": "__import__,1",
                     "too_many": ",".join(["1"] * 1500), "empty": ""}.items():
        add(f"convert:values={label}", ["convert", "--values", v])
    add("convert:to_bad", ["convert", "--to", "both", "--order", "2"])
    add("convert:nothing", ["convert"])
    # propagate
    for opt in ("--order", "--degree", "--simulate"):
        for label, v in BAD_INT.items():
            extra = ["--activation", "tanh", "--method", "hermite"] if opt == "--degree" else []
            add(f"propagate:{opt[2:]}={label}", ["propagate", *extra, opt, v])
    for label, v in {"negative": "-1", "word": "x", "float": "1.5"}.items():
        add(f"propagate:seed={label}", ["propagate", "--simulate", "100", "--seed", v])
    for label, v in {"unknown": "cauchy:0,1", "nan": "normal:nan,1", "neg_sigma": "normal:0,-1",
                     "inf": "normal:0,inf", "arity": "normal:0", "div_zero": "normal:1/0,1",
                     "complex": "normal:1j,1", "p_above_one": "bernoulli:2", "empty": "",
                     "gamma_neg": "gamma:-1,1", "uniform_reversed": "uniform:1,0"}.items():
        add(f"propagate:input={label}", ["propagate", "--input", v])
    for label, v in {"unknown": "softmax", "empty": "", "poly_empty": "poly:", "poly_nan": "poly:0,nan",
                     "poly_word": "poly:a,b", "poly_huge_degree": "poly:" + ",".join(["1"] * 300)}.items():
        add(f"propagate:activation={label}", ["propagate", "--activation", v])
    for label, v in {"nan": "nan", "word": "x", "div_zero": "1/0", "inf": "inf"}.items():
        add(f"propagate:alpha={label}", ["propagate", "--alpha", v])
    add("propagate:method_on_poly", ["propagate", "--method", "hermite"])
    add("propagate:method_unknown", ["propagate", "--activation", "tanh", "--method", "magic"])
    add("propagate:taylor_400", ["propagate", "--activation", "tanh", "--method", "taylor",
                                 "--degree", "400"])
    add("propagate:hermite_200", ["propagate", "--activation", "tanh", "--method", "hermite",
                                  "--degree", "200"])
    add("propagate:order_high_gaussian", ["propagate", "--activation", "tanh", "--order", "500"])
    # clt
    for opt in ("--block", "--order", "--steps"):
        for label, v in BAD_INT.items():
            if opt == "--block" and label == "huge":
                continue  # a block of 10**9 sites is a valid (symbolic-size) RG step
            extra = ["--flow", "exponential:1"] if opt == "--steps" else []
            add(f"clt:{opt[2:]}={label}", ["clt", *extra, opt, v])
    add("clt:dim_bad", ["clt", "--dim", "3"])
    add("clt:normalisation_bad", ["clt", "--normalisation", "cube"])
    for label, v in {"unknown": "cauchy:0,1", "nan": "normal:nan,1", "empty": ""}.items():
        add(f"clt:flow={label}", ["clt", "--flow", v])
    add("clt:flow_too_big", ["clt", "--flow", "exponential:1", "--block", "10", "--steps", "12"])
    # reproduce
    base = ["reproduce", "--quick", "--no-progress", "--workers", "1"]
    add("reproduce:out_is_file", [*base, "--out", "afile"], {"afile": {"text": "x"}})
    add("reproduce:out_unwritable", [*base, "--out", "/proc/cumulants-report"])
    add("reproduce:out_under_file", [*base, "--out", "afile/sub"], {"afile": {"text": "x"}})
    add("reproduce:config_missing", [*base, "--config", "nope.toml"])
    add("reproduce:config_is_dir", [*base, "--config", "cfgdir"], {"cfgdir": {"dir": True}})
    add("reproduce:config_not_utf8", [*base, "--config", "bad.toml"],
        {"bad.toml": {"text": "[study]\nname = '\xff\xfe'\n"}})
    for label, text in _TOML_BAD.items():
        add(f"reproduce:config={label}", [*base, "--config", "c.toml"], {"c.toml": {"text": text}})
    add("reproduce:scheduler_unreachable", [*base, "--scheduler", "tcp://127.0.0.1:9"])
    add("reproduce:scheduler_garbage", [*base, "--scheduler", "not-an-address"])
    add("reproduce:scheduler_bad_port", [*base, "--scheduler", "tcp://127.0.0.1:99999"])
    add("reproduce:seed_option", [*base, "--seed", "-1"])
    # bound
    bb = ["bound", "--arch", "linear", "--epochs", "1"]
    add("bound:nothing", ["bound"])
    add("bound:arch_unknown", ["bound", "--arch", "nosuch", "--support", "-1,1"])
    add("bound:arch_and_model", ["bound", "--arch", "linear", "--model", "m.onnx"])
    add("bound:model_missing", ["bound", "--model", "missing.onnx", "--support", "-1,1"])
    add("bound:model_bad_suffix", ["bound", "--model", "m.txt"], {"m.txt": {"text": "x"}})
    add("bound:model_garbage", ["bound", "--model", "m.onnx"], {"m.onnx": {"text": "not onnx"}})
    for label, v in {"reversed": "2,-2", "point": "1,1", "nan": "nan,1", "word": "a,b",
                     "three": "1,2,3", "empty": ""}.items():
        add(f"bound:support={label}", [*bb, "--support", v])
    for flag in ("--mean", "--variance", "--kurtosis"):
        for label, v in {"nan": "nan", "word": "x", "lo_gt_hi": "3,1", "empty": ""}.items():
            add(f"bound:{flag[2:]}={label}", [*bb, "--support", "-2,2", flag, v])
    add("bound:variance_negative", [*bb, "--variance", "-1"])
    add("bound:infeasible", [*bb, "--support", "-0.5,0.5", "--mean", "0", "--variance", "1"])
    add("bound:cumulant_bad_key", [*bb, "--cumulant", "x=1"])
    add("bound:moment_zero_order", [*bb, "--moment", "0=1"])
    add("bound:epochs_zero", ["bound", "--arch", "linear", "--epochs", "0", "--support", "-1,1"])
    add("bound:degree_word", [*bb, "--degree", "x"])
    add("bound:method_unknown", [*bb, "--method", "magic"])
    add("bound:config_missing", [*bb, "--config", "nope.toml"])
    return out


def all_cases():
    """The whole command-line catalogue (ids are unique)."""
    cases = _cases()
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    return cases

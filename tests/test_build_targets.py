"""Which CPU targets a build compiles for which machine (_build_config.build_targets, what
setup.py builds), and how the run-time dispatch reads an aarch64 CPU's features (the
kernel's HWCAP).  Host-runnable: the machine and the CPU are arguments or monkeypatched;
tools/check_aarch64.sh runs this file under QEMU too, where the real /proc is an ARM one.
"""

import os
import platform
import struct

import pytest

from fastact import _build_config, _dispatch

# Linux's arch/arm64/include/uapi/asm/hwcap.h and include/uapi/linux/auxvec.h
AT_NULL, AT_PAGESZ, AT_HWCAP = 0, 6, 16
HWCAP_FP, HWCAP_ASIMD, HWCAP_SVE = 1 << 0, 1 << 1, 1 << 22


@pytest.mark.parametrize("machine, names", [
    ("x86_64", ["baseline", "avx2", "avx512"]),
    ("AMD64", ["baseline", "avx2", "avx512"]),
    ("aarch64", ["neon", "sve"]),
    ("arm64", ["neon", "sve"]),              # macOS' name
    ("ppc64le", ["baseline"]),
    ("riscv64", ["baseline"]),
    ("", ["baseline"]),
])
def test_targets_built_for_each_machine(machine, names):
    assert list(_build_config.build_targets(machine)) == names
    assert _build_config.fallback(machine) == names[0]


def test_target_flags_are_the_machines_own():
    flags = {isa: " ".join(f) for isa, (_, f) in _build_config.build_targets("aarch64").items()}
    assert flags == {"neon": "-march=armv8-a", "sve": "-march=armv8.2-a+sve"}
    for isa, (_, f) in _build_config.build_targets("x86_64").items():
        assert not any(x.startswith("-march") for x in f), isa
    assert _build_config.build_targets("aarch64")["sve"][0] == ("SVE",)


def test_windows_builds_what_msvc_has_flags_for():
    # x86-64: every target (MSVC's /arch:AVX2, /arch:AVX512); ARM64: the fallback only
    assert list(_build_config.build_targets("AMD64", windows=True)) == ["baseline", "avx2",
                                                                       "avx512"]
    assert _build_config.build_targets("ARM64", windows=True) == {"neon": ((), [])}


def test_fastact_targets_selects_and_needs_the_fallback():
    assert list(_build_config.build_targets("x86_64", "baseline,avx2")) == ["baseline", "avx2"]
    assert list(_build_config.build_targets("aarch64", "neon")) == ["neon"]
    with pytest.raises(ValueError, match="must include neon"):
        _build_config.build_targets("aarch64", "sve")
    with pytest.raises(ValueError, match="must include baseline"):
        _build_config.build_targets("x86_64", "avx2")


@pytest.mark.parametrize("machine, features, names", [
    ("aarch64", {"ASIMD": True, "SVE": True}, ["neon", "sve"]),
    ("aarch64", {"ASIMD": True, "SVE": False}, ["neon"]),
    ("aarch64", {}, ["neon"]),
    ("x86_64", {"AVX2": True, "FMA3": True}, ["baseline", "avx2"]),
    ("x86_64", {"AVX2": True, "FMA3": True, "AVX512F": True, "AVX512DQ": True,
                "AVX512BW": True, "AVX512VL": True}, ["baseline", "avx512"]),
    ("x86_64", {"AVX2": True}, ["baseline"]),                  # no FMA: not avx2
    ("x86_64", {"SVE": True}, ["baseline"]),
])
def test_local_build_picks_the_best_target_of_the_cpu(machine, features, names):
    assert list(_build_config.build_targets(machine, "local", features)) == names


def _auxv(*pairs):
    return struct.pack(f"<{2 * len(pairs) + 2}Q", *[v for p in pairs for v in p], AT_NULL, 0)


def test_parse_auxv():
    data = _auxv((AT_PAGESZ, 4096), (AT_HWCAP, HWCAP_FP | HWCAP_ASIMD | HWCAP_SVE), (26, 0))
    assert _dispatch.parse_auxv(data) == {AT_PAGESZ: 4096, AT_HWCAP: 0x400003, 26: 0}
    # what follows AT_NULL is not read; a trailing partial entry neither
    assert _dispatch.parse_auxv(data + struct.pack("<2Q", AT_HWCAP, 0) + b"\1\2") \
        == {AT_PAGESZ: 4096, AT_HWCAP: 0x400003, 26: 0}
    assert _dispatch.parse_auxv(b"") == {}


@pytest.mark.parametrize("hwcap, sve", [
    (0x8fb, False),              # QEMU's Cortex-A72: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid
    (0x8ff, False),
    (0xefffbb, True),            # a Neoverse V1 (Graviton 3)
    (HWCAP_SVE, True),
    (0, False),
])
def test_hwcap_features(hwcap, sve):
    feats = _dispatch.hwcap_features(hwcap)
    assert feats["SVE"] is sve
    assert feats["ASIMD"] is bool(hwcap & 2)


CPUINFO_A72 = """\
processor\t: 0
BogoMIPS\t: 108.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid
CPU implementer\t: 0x41

processor\t: 1
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid
"""
CPUINFO_V1 = CPUINFO_A72.replace("crc32 cpuid", "crc32 atomics fphp asimdhp cpuid sve svei8mm")


def test_cpuinfo_features():
    assert _dispatch.cpuinfo_features(CPUINFO_A72) == {"ASIMD": True, "SVE": False}
    assert _dispatch.cpuinfo_features(CPUINFO_V1) == {"ASIMD": True, "SVE": True}
    # "svei8mm" alone is not "sve"; every core must have it
    one = CPUINFO_A72.replace("cpuid\n\nprocessor", "cpuid svei8mm\n\nprocessor", 1)
    assert _dispatch.cpuinfo_features(one)["SVE"] is False
    assert _dispatch.cpuinfo_features("processor\t: 0\nflags\t\t: fpu sse2 avx2\n") == {}


@pytest.mark.skipif(not os.path.exists("/proc/self/auxv") or struct.calcsize("P") != 8,
                    reason="no /proc/self/auxv of a 64-bit process here")
def test_parse_auxv_of_this_process():
    # the page size the kernel (or QEMU) hands the process, as os.sysconf reads it
    with open("/proc/self/auxv", "rb") as f:
        auxv = _dispatch.parse_auxv(f.read())
    assert auxv[AT_PAGESZ] == os.sysconf("SC_PAGE_SIZE")


def _supported(monkeypatch, machine, features):
    monkeypatch.setattr(_dispatch, "TARGETS", _build_config.targets_for(machine))
    monkeypatch.setattr(_dispatch, "_cpu_features", lambda: features)
    return _dispatch.supported()


def test_supported_targets_are_the_machines(monkeypatch):
    assert _supported(monkeypatch, "aarch64", {"SVE": True}) == ["sve", "neon"]
    assert _supported(monkeypatch, "aarch64", {"SVE": False, "AVX2": True}) == ["neon"]
    # an x86-64 CPU never "supports" the aarch64 targets (they need no features there)
    assert _supported(monkeypatch, "x86_64", {"AVX2": True, "FMA3": True}) == ["avx2", "baseline"]
    assert _supported(monkeypatch, "ppc64le", {"AVX2": True, "FMA3": True}) == ["baseline"]


def test_arm_features_come_from_the_kernel(monkeypatch):
    # on aarch64 Linux the HWCAP decides, whatever NumPy says
    monkeypatch.setattr(_dispatch, "MACHINE", "aarch64")
    monkeypatch.setattr(_dispatch.sys, "platform", "linux")
    monkeypatch.setattr(_dispatch, "_linux_arm_features", lambda: {"ASIMD": True, "SVE": False})
    assert _dispatch._cpu_features()["SVE"] is False
    monkeypatch.setattr(_dispatch, "_linux_arm_features", lambda: {"ASIMD": True, "SVE": True})
    assert _dispatch._cpu_features()["SVE"] is True


def test_this_machine():
    # what this process dispatched: the best built target its CPU has, of its machine's
    machine = platform.machine()
    assert _dispatch.TARGETS == _build_config.targets_for(machine)
    assert _dispatch.FALLBACK in _dispatch.supported()
    best = next(isa for isa in _dispatch.supported() if isa in _dispatch.built())
    if not os.environ.get("FASTACT_ISA"):
        assert _dispatch.KERNELS.isa == best
    if machine.lower() == "aarch64" and os.path.exists("/proc/self/auxv"):
        with open("/proc/self/auxv", "rb") as f:
            hwcap = _dispatch.parse_auxv(f.read())[AT_HWCAP]
        assert ("sve" in _dispatch.supported()) is bool(hwcap & HWCAP_SVE)

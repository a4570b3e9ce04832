"""Fit the polynomials of tanhshrink's kernel (src/fastact/_kernels/tanhshrink.pxi), mpmath
only.

    python tools/fit_tanhshrink.py       # prints the fits' errors and the coefficient block

tanhshrink(x) = x - tanh(x) loses to cancellation wherever tanh(x) is close to x: the
error of tanh is multiplied by tanh(x) / (x - tanh(x)), about 3/x^2 for small x (3.2 at
x = 1, 1.5 at x = 1.5, 0.93 at x = 2).  So for |x| < 2 the kernel uses

    x - tanh(x) = x^3 g(t),  t = x^2,  g(t) = (x - tanh x) / x^3 = 1/3 - 2t/15 + ...

with g a polynomial of degree DEGREE in s = t - c on each of the intervals [0, 1), [1, 2),
[2, 4) of t (c = 0.5, 1.5, 3), its constant term c0 = g(c) apart (the kernel adds it last).
g is analytic but for tanh's poles at x = +-i pi/2, t = -pi^2/4; the fits are Chebyshev
interpolants (mpmath's chebyfit) of g on each interval, printed with their maximum
relative error with the coefficients rounded to double, on a dense grid, against mpmath
at 300 bits.
"""

import mpmath as mp

mp.mp.prec = 300

INTERVALS = ((0.0, 1.0, 0.5), (1.0, 2.0, 1.5), (2.0, 4.0, 3.0))
DEGREE = 16


def g(t):
    t = mp.mpf(t)
    if t == 0:
        return mp.mpf(1) / 3
    x = mp.sqrt(t)
    if t < mp.mpf("1e-20"):                    # the series: cancellation below
        return mp.mpf(1) / 3 - 2 * t / 15 + 17 * t * t / 315
    return (x - mp.tanh(x)) / (x * t)


def fit(lo, hi, c, degree):
    """Coefficients of g(c + s) in s, highest degree first, rounded to double."""
    coeffs, _err = mp.chebyfit(lambda s: g(c + s), [lo - c, hi - c], degree + 1, error=True)
    return [float(v) for v in coeffs]


def horner(coeffs, s):
    p = mp.mpf(0)
    for v in coeffs:
        p = p * s + mp.mpf(v)
    return p


def main():
    blocks = []
    for lo, hi, c in INTERVALS:
        coeffs = fit(lo, hi, c, DEGREE)
        worst = max(abs(horner(coeffs, mp.mpf(t) - c) / g(t) - 1)
                    for t in mp.linspace(lo, hi, 2001))
        print(f"t in [{lo}, {hi}), c = {c}: degree {DEGREE}, max rel error "
              f"2^{float(mp.log(worst, 2)):.1f}")
        blocks.append(coeffs)
    print("\ncoefficients (highest degree first; the last is g(c)):")
    for row in zip(*blocks):
        print("    " + ", ".join(repr(v) for v in row))


if __name__ == "__main__":
    main()

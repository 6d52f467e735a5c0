//go:build amd64 && !purego

#include "textflag.h"

// AVX2 bodies of Exp32, Sigmoid32 and Tanh32, four elements at a time in float64: the same operations,
// in the same order, as the Go loops of vmath.go (which the compiler does not fuse at GOAMD64=v1), so
// both give the same results. Each function takes dst and x of equal length, a multiple of 4.

DATA log2e<>+0(SB)/8, $0x3ff71547652b82fe
DATA log2e<>+8(SB)/8, $0x3ff71547652b82fe
DATA log2e<>+16(SB)/8, $0x3ff71547652b82fe
DATA log2e<>+24(SB)/8, $0x3ff71547652b82fe
GLOBL log2e<>(SB), RODATA|NOPTR, $32

DATA ln2hi<>+0(SB)/8, $0x3fe62e42fee00000
DATA ln2hi<>+8(SB)/8, $0x3fe62e42fee00000
DATA ln2hi<>+16(SB)/8, $0x3fe62e42fee00000
DATA ln2hi<>+24(SB)/8, $0x3fe62e42fee00000
GLOBL ln2hi<>(SB), RODATA|NOPTR, $32

DATA ln2lo<>+0(SB)/8, $0x3dea39ef35793c76
DATA ln2lo<>+8(SB)/8, $0x3dea39ef35793c76
DATA ln2lo<>+16(SB)/8, $0x3dea39ef35793c76
DATA ln2lo<>+24(SB)/8, $0x3dea39ef35793c76
GLOBL ln2lo<>(SB), RODATA|NOPTR, $32

DATA magic<>+0(SB)/8, $0x4338000000000000
DATA magic<>+8(SB)/8, $0x4338000000000000
DATA magic<>+16(SB)/8, $0x4338000000000000
DATA magic<>+24(SB)/8, $0x4338000000000000
GLOBL magic<>(SB), RODATA|NOPTR, $32

DATA one<>+0(SB)/8, $0x3ff0000000000000
DATA one<>+8(SB)/8, $0x3ff0000000000000
DATA one<>+16(SB)/8, $0x3ff0000000000000
DATA one<>+24(SB)/8, $0x3ff0000000000000
GLOBL one<>(SB), RODATA|NOPTR, $32

DATA two<>+0(SB)/8, $0x4000000000000000
DATA two<>+8(SB)/8, $0x4000000000000000
DATA two<>+16(SB)/8, $0x4000000000000000
DATA two<>+24(SB)/8, $0x4000000000000000
GLOBL two<>(SB), RODATA|NOPTR, $32

DATA twenty<>+0(SB)/8, $0x4034000000000000
DATA twenty<>+8(SB)/8, $0x4034000000000000
DATA twenty<>+16(SB)/8, $0x4034000000000000
DATA twenty<>+24(SB)/8, $0x4034000000000000
GLOBL twenty<>(SB), RODATA|NOPTR, $32

DATA minarg<>+0(SB)/8, $0xc086200000000000
DATA minarg<>+8(SB)/8, $0xc086200000000000
DATA minarg<>+16(SB)/8, $0xc086200000000000
DATA minarg<>+24(SB)/8, $0xc086200000000000
GLOBL minarg<>(SB), RODATA|NOPTR, $32

DATA maxarg<>+0(SB)/8, $0x4086280000000000
DATA maxarg<>+8(SB)/8, $0x4086280000000000
DATA maxarg<>+16(SB)/8, $0x4086280000000000
DATA maxarg<>+24(SB)/8, $0x4086280000000000
GLOBL maxarg<>(SB), RODATA|NOPTR, $32

DATA c2<>+0(SB)/8, $0x3fe0000000000000
DATA c2<>+8(SB)/8, $0x3fe0000000000000
DATA c2<>+16(SB)/8, $0x3fe0000000000000
DATA c2<>+24(SB)/8, $0x3fe0000000000000
GLOBL c2<>(SB), RODATA|NOPTR, $32

DATA c6<>+0(SB)/8, $0x3fc5555555555555
DATA c6<>+8(SB)/8, $0x3fc5555555555555
DATA c6<>+16(SB)/8, $0x3fc5555555555555
DATA c6<>+24(SB)/8, $0x3fc5555555555555
GLOBL c6<>(SB), RODATA|NOPTR, $32

DATA c24<>+0(SB)/8, $0x3fa5555555555555
DATA c24<>+8(SB)/8, $0x3fa5555555555555
DATA c24<>+16(SB)/8, $0x3fa5555555555555
DATA c24<>+24(SB)/8, $0x3fa5555555555555
GLOBL c24<>(SB), RODATA|NOPTR, $32

DATA c120<>+0(SB)/8, $0x3f81111111111111
DATA c120<>+8(SB)/8, $0x3f81111111111111
DATA c120<>+16(SB)/8, $0x3f81111111111111
DATA c120<>+24(SB)/8, $0x3f81111111111111
GLOBL c120<>(SB), RODATA|NOPTR, $32

DATA c720<>+0(SB)/8, $0x3f56c16c16c16c17
DATA c720<>+8(SB)/8, $0x3f56c16c16c16c17
DATA c720<>+16(SB)/8, $0x3f56c16c16c16c17
DATA c720<>+24(SB)/8, $0x3f56c16c16c16c17
GLOBL c720<>(SB), RODATA|NOPTR, $32

DATA c5040<>+0(SB)/8, $0x3f2a01a01a01a01a
DATA c5040<>+8(SB)/8, $0x3f2a01a01a01a01a
DATA c5040<>+16(SB)/8, $0x3f2a01a01a01a01a
DATA c5040<>+24(SB)/8, $0x3f2a01a01a01a01a
GLOBL c5040<>(SB), RODATA|NOPTR, $32

DATA c40320<>+0(SB)/8, $0x3efa01a01a01a01a
DATA c40320<>+8(SB)/8, $0x3efa01a01a01a01a
DATA c40320<>+16(SB)/8, $0x3efa01a01a01a01a
DATA c40320<>+24(SB)/8, $0x3efa01a01a01a01a
GLOBL c40320<>(SB), RODATA|NOPTR, $32

DATA c362880<>+0(SB)/8, $0x3ec71de3a556c734
DATA c362880<>+8(SB)/8, $0x3ec71de3a556c734
DATA c362880<>+16(SB)/8, $0x3ec71de3a556c734
DATA c362880<>+24(SB)/8, $0x3ec71de3a556c734
GLOBL c362880<>(SB), RODATA|NOPTR, $32

DATA c3628800<>+0(SB)/8, $0x3e927e4fb7789f5c
DATA c3628800<>+8(SB)/8, $0x3e927e4fb7789f5c
DATA c3628800<>+16(SB)/8, $0x3e927e4fb7789f5c
DATA c3628800<>+24(SB)/8, $0x3e927e4fb7789f5c
GLOBL c3628800<>(SB), RODATA|NOPTR, $32

DATA bias<>+0(SB)/8, $0x00000000000003ff
DATA bias<>+8(SB)/8, $0x00000000000003ff
DATA bias<>+16(SB)/8, $0x00000000000003ff
DATA bias<>+24(SB)/8, $0x00000000000003ff
GLOBL bias<>(SB), RODATA|NOPTR, $32

DATA sign<>+0(SB)/8, $0x8000000000000000
DATA sign<>+8(SB)/8, $0x8000000000000000
DATA sign<>+16(SB)/8, $0x8000000000000000
DATA sign<>+24(SB)/8, $0x8000000000000000
GLOBL sign<>(SB), RODATA|NOPTR, $32

DATA abs<>+0(SB)/8, $0x7fffffffffffffff
DATA abs<>+8(SB)/8, $0x7fffffffffffffff
DATA abs<>+16(SB)/8, $0x7fffffffffffffff
DATA abs<>+24(SB)/8, $0x7fffffffffffffff
GLOBL abs<>(SB), RODATA|NOPTR, $32

// EXPCORE: for x in Y0 (clamped), s = 2^n in Y1 and p = e^r − 1 in Y2, as the Go loops compute them:
// k = x·log2e + magic, n = k − magic, s = bits((bits(k) − bits(magic)) + 1023) << 52,
// r = (x − n·ln2Hi) − n·ln2Lo, p by Estrin's scheme. Uses Y3–Y11.
#define EXPCORE \
	VMULPD log2e<>(SB), Y0, Y3; \
	VADDPD magic<>(SB), Y3, Y3; \
	VSUBPD magic<>(SB), Y3, Y4; \
	VPSUBQ magic<>(SB), Y3, Y1; \
	VPADDQ bias<>(SB), Y1, Y1; \
	VPSLLQ $52, Y1, Y1; \
	VMULPD ln2hi<>(SB), Y4, Y5; \
	VSUBPD Y5, Y0, Y5; \
	VMULPD ln2lo<>(SB), Y4, Y6; \
	VSUBPD Y6, Y5, Y5; \
	VMULPD Y5, Y5, Y6; \
	VMULPD Y6, Y6, Y7; \
	VMULPD c2<>(SB), Y5, Y8; \
	VADDPD one<>(SB), Y8, Y8; \
	VMULPD c24<>(SB), Y5, Y9; \
	VADDPD c6<>(SB), Y9, Y9; \
	VMULPD Y9, Y6, Y9; \
	VADDPD Y9, Y8, Y8; \
	VMULPD c720<>(SB), Y5, Y9; \
	VADDPD c120<>(SB), Y9, Y9; \
	VMULPD c40320<>(SB), Y5, Y10; \
	VADDPD c5040<>(SB), Y10, Y10; \
	VMULPD Y10, Y6, Y10; \
	VADDPD Y10, Y9, Y9; \
	VMULPD Y9, Y7, Y9; \
	VMULPD c3628800<>(SB), Y5, Y10; \
	VADDPD c362880<>(SB), Y10, Y10; \
	VMULPD Y7, Y7, Y11; \
	VMULPD Y10, Y11, Y10; \
	VADDPD Y10, Y9, Y9; \
	VADDPD Y9, Y8, Y8; \
	VMULPD Y8, Y5, Y2

// CLAMP limits Y0 to [minArg, maxArg] (Y13, Y14), keeping NaN: VMINPD and VMAXPD return their second
// source (Y0 here) when either operand is NaN.
#define CLAMP \
	VMINPD Y0, Y14, Y0; \
	VMAXPD Y0, Y13, Y0

// func exp32AVX2(dst, x []float32)
TEXT ·exp32AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	SHRQ $2, CX
	JZ   expdone
	VMOVUPD minarg<>(SB), Y13
	VMOVUPD maxarg<>(SB), Y14
exploop:
	VCVTPS2PD (SI), Y0
	CLAMP
	EXPCORE
	VMULPD Y2, Y1, Y3
	VADDPD Y3, Y1, Y3
	VCVTPD2PSY Y3, X3
	VMOVUPS X3, (DI)
	ADDQ $16, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  exploop
	VZEROUPPER
expdone:
	RET

// func sigmoid32AVX2(dst, x []float32)
TEXT ·sigmoid32AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	SHRQ $2, CX
	JZ   sigdone
	VMOVUPD minarg<>(SB), Y13
	VMOVUPD maxarg<>(SB), Y14
	VMOVUPD one<>(SB), Y15
sigloop:
	VCVTPS2PD (SI), Y0
	VXORPD sign<>(SB), Y0, Y0
	CLAMP
	EXPCORE
	VMULPD Y2, Y1, Y3
	VADDPD Y3, Y1, Y3
	VADDPD Y15, Y3, Y3
	VDIVPD Y3, Y15, Y3
	VCVTPD2PSY Y3, X3
	VMOVUPS X3, (DI)
	ADDQ $16, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  sigloop
	VZEROUPPER
sigdone:
	RET

// func tanh32AVX2(dst, x []float32)
TEXT ·tanh32AVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ x_base+24(FP), SI
	MOVQ x_len+32(FP), CX
	SHRQ $2, CX
	JZ   tanhdone
	VMOVUPD twenty<>(SB), Y14
	VMOVUPD sign<>(SB), Y15
tanhloop:
	VCVTPS2PD (SI), Y12
	VANDPD abs<>(SB), Y12, Y0
	VMINPD Y0, Y14, Y0
	VADDPD Y0, Y0, Y0
	EXPCORE
	VMULPD Y2, Y1, Y3
	VSUBPD one<>(SB), Y1, Y4
	VADDPD Y4, Y3, Y3
	VADDPD two<>(SB), Y3, Y4
	VDIVPD Y4, Y3, Y3
	VANDNPD Y3, Y15, Y3
	VANDPD Y15, Y12, Y4
	VORPD Y4, Y3, Y3
	VCVTPD2PSY Y3, X3
	VMOVUPS X3, (DI)
	ADDQ $16, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  tanhloop
	VZEROUPPER
tanhdone:
	RET

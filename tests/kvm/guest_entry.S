/*
 * KVM test guest: entry point and exception stubs.
 *
 * The host starts us in 64-bit mode at CPL0 with interrupts off, paging on
 * (layout in kvm_abi.h) and RDI = guest-physical address of struct kt_shared.
 */
    .section .text.entry, "ax"
    .globl _start
    .type _start, @function
_start:
    cli
    leaq guest_stack_top(%rip), %rsp
    xorl %ebp, %ebp
    call guest_main             /* rdi: struct kt_shared * */
1:  cli
    hlt                         /* guest_main reported KT_OP_DONE; should not return */
    jmp 1b
    .size _start, . - _start

/*
 * Exception stubs for vectors 0..31. Each pushes a dummy error code where the
 * CPU pushes none, then the vector, and joins the common path, which saves the
 * general registers (struct guest_frame) and calls guest_exception(frame).
 * The C handler may change frame->rip (and registers) before we iretq.
 */
    .text
.macro ISR vec, has_error
    .balign 16
isr_\vec:
    .if \has_error == 0
    pushq $0
    .endif
    pushq $\vec
    jmp isr_common
.endm

    ISR 0, 0
    ISR 1, 0
    ISR 2, 0
    ISR 3, 0
    ISR 4, 0
    ISR 5, 0
    ISR 6, 0
    ISR 7, 0
    ISR 8, 1
    ISR 9, 0
    ISR 10, 1
    ISR 11, 1
    ISR 12, 1
    ISR 13, 1
    ISR 14, 1
    ISR 15, 0
    ISR 16, 0
    ISR 17, 1
    ISR 18, 0
    ISR 19, 0
    ISR 20, 0
    ISR 21, 1
    ISR 22, 0
    ISR 23, 0
    ISR 24, 0
    ISR 25, 0
    ISR 26, 0
    ISR 27, 0
    ISR 28, 0
    ISR 29, 1
    ISR 30, 1
    ISR 31, 0

isr_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    movq %rsp, %rdi             /* 15 + 2 + 5 quadwords: RSP is 16-byte aligned */
    call guest_exception
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp              /* vector, error code */
    iretq

/* Stub addresses for the IDT, in vector order. */
    .section .rodata
    .balign 8
    .globl guest_isr_table
guest_isr_table:
    .irp vec, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    .quad isr_\vec
    .endr

    .bss
    .balign 16
guest_stack:
    .skip 32768
guest_stack_top:

    .section .note.GNU-stack, "", @progbits

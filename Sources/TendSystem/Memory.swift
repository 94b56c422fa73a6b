import CSystemShim

public enum Memory {
    /// Gives the heap's free pages back to the kernel (glibc's malloc_trim), for a
    /// long-lived process after a burst of work; elsewhere nothing.
    public static func releaseFree() { tend_release_free_memory() }
}

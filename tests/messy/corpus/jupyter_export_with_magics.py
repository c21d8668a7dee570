#!/usr/bin/env python
# coding: utf-8

# In[1]:


get_ipython().system('pip install einops')
get_ipython().run_line_magic('matplotlib', 'inline')
get_ipython().run_line_magic('load_ext', 'autoreload')
get_ipython().run_line_magic('autoreload', '2')


# In[2]:


import torch as t
from einops import rearrange, reduce, repeat
import matplotlib.pyplot as plt


# In[3]:


def rearrange_1():
    return rearrange(t.arange(3, 9), "(a b) -> a b", b=2)

print(rearrange_1())


# In[4]:


def rearrange_2():
    return rearrange(t.arange(1, 7), "(a b) -> a b", a=2)

rearrange_2()


# In[5]:


def rearrange_3():
    return rearrange(t.arange(1, 7), "(a b c) -> a b c", a=1, c=1)


# In[6]:


temps = t.Tensor([71, 72, 70, 75, 71, 72, 70, 68, 65, 60, 68, 60, 55, 59, 75, 80, 85, 80, 78, 72, 83])

def temperatures_average(temps):
    return reduce(temps, "(w d) -> w", "mean", d=7)

plt.plot(temperatures_average(temps))
plt.show()


# In[7]:


def temperatures_differences(temps):
    return temps - repeat(temperatures_average(temps), "w -> (w d)", d=7)

temperatures_differences(temps)
